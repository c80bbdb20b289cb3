"""``get_<field>_display()`` reads each field's labels once, and answers as Django does: for
every field with choices of every model, every value, in English and in Spanish, and a value
that is not a choice."""

from django.apps import apps
from django.db import models
from django.utils import translation

from rescue.choices import ChoiceLabels
from standards.choices import Component
from standards.models import CatalogueVersion


def _fields_with_choices() -> list[tuple[type[models.Model], models.Field]]:
    return [
        (model, field)
        for model in apps.get_models()
        if model.__module__.split(".")[0] not in ("django", "guardian", "axes", "django_otp")
        for field in model._meta.concrete_fields
        if isinstance(field.choices, list | tuple)  # the countries' are Django's own reading
    ]


def test_every_project_model_with_choices_reads_its_labels_once() -> None:
    models_with_choices = {model for model, _field in _fields_with_choices()}
    assert len(models_with_choices) > 10
    assert [m.__name__ for m in models_with_choices if not issubclass(m, ChoiceLabels)] == []


def test_the_labels_are_djangos_in_every_language() -> None:
    checked = 0
    for model, field in _fields_with_choices():
        instance = model()
        values = [value for value, _label in field.flatchoices] + ["not-a-choice"]
        for language in ("en", "es"):
            with translation.override(language):
                for value in values:
                    setattr(instance, field.attname, value)
                    ours = getattr(instance, f"get_{field.name}_display")()
                    djangos = models.Model._get_FIELD_display(instance, field)  # type: ignore[attr-defined]
                    assert ours == djangos, (model.__name__, field.name, value, language)
                    checked += 1
    assert checked > 100


def test_a_label_follows_the_active_language() -> None:
    version = CatalogueVersion(component=Component.INTERVENTION)
    with translation.override("en"):
        english = version.get_component_display()
    with translation.override("es"):
        spanish = version.get_component_display()
    assert english == str(Component.INTERVENTION.label)
    assert isinstance(english, str)
    with translation.override("es"):
        assert spanish == str(Component.INTERVENTION.label)
