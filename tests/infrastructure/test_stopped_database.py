"""The database going away for real: a throwaway PostgreSQL cluster of the test's own,
gunicorn in front of it, the cluster stopped and started again (PostgreSQL runs only, as
root, where the server binaries are). Pages answer a 503 page, the API a JSON 503, both
with Retry-After and never a traceback; the app recovers by itself when it returns.
(In process, with a query wrapper standing in for the outage: tests/core/.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import harness

# --- For real: a PostgreSQL cluster stopped and started under a running gunicorn --------

no_cluster = harness.why_no_throwaway_cluster()
PASSWORD = "fault-tolerant-7"


@pytest.fixture(scope="module")
def served_cluster() -> Iterator[tuple[harness.Cluster, int]]:
    """A cluster of the test's own with a migrated database and one person, fay, and
    one gunicorn worker in front of it (one worker: the very process that held a
    connection when the database went away must recover)."""
    with harness.throwaway_cluster() as cluster:
        cluster.create_database("careermap")
        url = cluster.url("careermap")
        harness.manage(url, "migrate", "--no-input")
        harness.manage(
            url,
            "shell",
            "-c",
            "from people.models import Person; "
            f"Person.objects.create_user(username='fay', name='Fay', password='{PASSWORD}')",
        )
        with harness.gunicorn(url, workers=1) as port:
            yield cluster, port


@pytest.mark.skipif(no_cluster is not None, reason=no_cluster or "")
def test_pages_and_api_answer_503_while_postgresql_is_stopped_and_recover_after(
    served_cluster,
):
    cluster, port = served_cluster
    fay = harness.Browser(port)
    fay.log_in("fay", PASSWORD)
    token = fay.post("/api/auth/token/", json_body={"username": "fay", "password": PASSWORD})
    assert token.status == 200, token.body
    by_token = {"Authorization": f"Token {token.json()['token']}"}

    def page():
        return fay.get("/map/")

    def api():
        return fay.get("/api/me/", headers=by_token)

    assert page().status == 200
    assert api().status == 200
    assert fay.get("/healthz").status == 200

    cluster.stop()
    try:
        down_page = page()
        assert down_page.status == 503, down_page.body
        assert down_page.headers["Retry-After"] == "30"
        assert down_page.headers["Content-Type"].startswith("text/html")
        assert "careermap is unavailable for a moment" in down_page.body
        assert "Traceback" not in down_page.body

        down_api = api()
        assert down_api.status == 503, down_api.body
        assert down_api.headers["Retry-After"] == "30"
        assert down_api.json()["detail"].startswith("The database is unavailable")

        down_session_api = fay.get("/api/people/")
        assert down_session_api.status == 503, down_session_api.body

        down_write = fay.post("/map/target/", form={"target_role": ""})
        assert down_write.status == 503, down_write.body

        assert fay.get("/healthz").status == 503
    finally:
        cluster.start()

    # Back: the first request after the restart works, in the same worker, with the
    # same session and token (nothing was lost; nothing needs a restart).
    back_page = page()
    assert back_page.status == 200, back_page.body
    assert "Fay" in back_page.body
    back_api = api()
    assert back_api.status == 200, back_api.body
    assert back_api.json()["username"] == "fay"
    assert fay.get("/healthz").json() == {"status": "ok"}
