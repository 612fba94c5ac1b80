"""API tokens, in one place (issue 23): a token lasts CAREERMAP_TOKEN_DAYS from its
creation; it dies when its person's password changes or they are deactivated (a
pre_save receiver, so that every path is covered: the account page, a reset link, the
admin, a management command); a person revokes all of theirs with
`DELETE /api/auth/token/`; asking for a token again after one expired or died gives a
fresh one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from people.models import Person

EXPIRED = "The token has expired: ask for a new one (POST /api/auth/token/)."


def expired(token: Token) -> bool:
    return token.created < timezone.now() - timedelta(days=settings.CAREERMAP_TOKEN_DAYS)


def token_for(person: Person) -> Token:
    """The person's token, a fresh one if theirs expired."""
    token = Token.objects.filter(user=person).first()
    if token is not None and expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=person)


def revoke_all(person: Person) -> int:
    """Delete every token of the person; how many there were."""
    deleted, _ = Token.objects.filter(user=person).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing (and deleting) an expired token."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if expired(token):
            token.delete()
            raise AuthenticationFailed(EXPIRED)
        return user, token


@receiver(pre_save, sender=Person, dispatch_uid="careermap_tokens_die_with_the_password")
def _tokens_die_with_the_password(sender: type, instance: Person, **kwargs: Any) -> None:
    """A password being set (AbstractBaseUser keeps the raw one in `_password` until the
    save) or a deactivation deletes the person's tokens."""
    if instance.pk is None:
        return
    if getattr(instance, "_password", None) is not None or not instance.is_active:
        Token.objects.filter(user_id=instance.pk).delete()


def token_current(person: Person) -> Token | None:
    """The person's live token, if any (an expired one is left for token_for to clear)."""
    token = Token.objects.filter(user=person).first()
    return None if token is None or expired(token) else token


def token_expires(token: Token) -> Any:
    return token.created + timedelta(days=settings.CAREERMAP_TOKEN_DAYS)


def token_renew(person: Person) -> Token:
    """A new token for the person's scripts, from their account page (issue 22: with
    single sign-on they may have no password to ask the API for one); the old one dies."""
    revoke_all(person)
    return Token.objects.create(user=person)
