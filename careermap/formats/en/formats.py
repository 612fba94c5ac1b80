"""One way to write a date and a time on every page (settings.FORMAT_MODULE_PATH):
"3 Dec 2026" and "3 Dec 2026, 18:02", in the viewer's time zone (core.timezones)."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
