"""Factories for people and frameworks."""

from __future__ import annotations

import factory

from people.models import Person
from skills.models import Category, Expectation, Role, Skill


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    name = factory.LazyAttribute(lambda p: p.username.title())
    email = factory.LazyAttribute(lambda p: f"{p.username}@example.com")
    password = factory.django.Password("demo")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda c: c.key.replace("-", " ").title())
    kind = Category.Kind.HARD


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"skill-{n}")
    name = factory.LazyAttribute(lambda s: s.key.replace("-", " ").title())
    category = factory.SubFactory(CategoryFactory)
    levels = factory.LazyFunction(lambda: {str(level): f"Level {level}" for level in range(6)})


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"role-{n}")
    name = factory.LazyAttribute(lambda r: r.key.replace("-", " ").title())
    track = Role.Track.IC
    level = 1


class ExpectationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expectation

    role = factory.SubFactory(RoleFactory)
    skill = factory.SubFactory(SkillFactory)
    level = 3
