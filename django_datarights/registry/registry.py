"""The registry of models that hold personal data."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from .declarations import ERASURE_ACTIONS, PersonalData

logger = logging.getLogger(__name__)

DeclarationT = TypeVar("DeclarationT", bound=type[PersonalData])


class AlreadyRegistered(ImproperlyConfigured):
    pass


class NotRegistered(LookupError):
    pass


class Registry:
    """Maps each registered model to its ``PersonalData`` declaration."""

    def __init__(self) -> None:
        self._declarations: dict[type[models.Model], type[PersonalData]] = {}

    def register(
        self, model: type[models.Model] | str, declaration: type[PersonalData] | None = None
    ) -> Any:
        """Register ``model`` with ``declaration``; usable as a class decorator.

        ``model`` may be a model class or an ``"app_label.ModelName"`` string.
        """
        if declaration is None:

            def decorator(cls: DeclarationT) -> DeclarationT:
                self.register(model, cls)
                return cls

            return decorator

        model_class = apps.get_model(model) if isinstance(model, str) else model
        if model_class in self._declarations:
            raise AlreadyRegistered(f"{model_class._meta.label} is already registered")
        bound = type(declaration.__name__, (declaration,), {"model": model_class})
        _validate(bound)
        self._declarations[model_class] = bound
        logger.debug("registered personal data model %s", model_class._meta.label)
        return declaration

    def register_if_absent(
        self, model: type[models.Model] | str, declaration: type[PersonalData]
    ) -> bool:
        """Register ``model`` unless it already is; return whether it was registered now."""
        model_class = apps.get_model(model) if isinstance(model, str) else model
        if model_class in self._declarations:
            return False
        self.register(model_class, declaration)
        return True

    def unregister(self, model: type[models.Model]) -> None:
        self._declarations.pop(model, None)

    def is_registered(self, model: type[models.Model]) -> bool:
        return model in self._declarations

    def get(self, model: type[models.Model] | str) -> type[PersonalData]:
        model_class = apps.get_model(model) if isinstance(model, str) else model
        try:
            return self._declarations[model_class]
        except KeyError:
            raise NotRegistered(f"{model_class._meta.label} is not registered") from None

    def __iter__(self) -> Iterator[type[PersonalData]]:
        return iter(self.in_export_order())

    def __len__(self) -> int:
        return len(self._declarations)

    def in_export_order(self) -> list[type[PersonalData]]:
        """Declarations with the user model first, then by dataset label."""
        user_model = get_user_model()
        return sorted(
            self._declarations.values(),
            key=lambda d: (d.model is not user_model, d.label()),
        )

    def in_erasure_order(self) -> list[type[PersonalData]]:
        """Declarations ordered so that rows pointing at other registered rows go first.

        A model with a foreign key to another registered model is erased before that model, so a
        ``PROTECT`` relation from a deleted row does not block the erasure. A row that erasure
        keeps (anonymised) still blocks unless its anonymisers clear that foreign key; the
        engine reports that case as an error. The user model always comes last.
        """
        declarations = {d.model: d for d in self._declarations.values()}
        user_model = get_user_model()
        ordered: list[type[PersonalData]] = []
        visiting: set[type[models.Model]] = set()
        done: set[type[models.Model]] = set()

        def visit(model: type[models.Model]) -> None:
            if model in done or model in visiting:
                return
            visiting.add(model)
            # Models that point at this one must be erased before it.
            for other in declarations:
                if other is model:
                    continue
                if any(
                    f.is_relation and f.related_model is model and (f.many_to_one or f.one_to_one)
                    for f in other._meta.concrete_fields
                ):
                    visit(other)
            visiting.discard(model)
            done.add(model)
            ordered.append(declarations[model])

        for model in sorted(declarations, key=lambda m: m._meta.label):
            if model is not user_model:
                visit(model)
        if user_model in declarations:
            ordered = [d for d in ordered if d.model is not user_model]
            ordered.append(declarations[user_model])
        return ordered

    def clear(self) -> None:
        self._declarations.clear()

    def snapshot(self) -> dict[type[models.Model], type[PersonalData]]:
        return dict(self._declarations)

    def restore(self, snapshot: dict[type[models.Model], type[PersonalData]]) -> None:
        self._declarations = dict(snapshot)


def _validate(declaration: type[PersonalData]) -> None:
    model = declaration.model
    label = model._meta.label
    if declaration.erasure not in ERASURE_ACTIONS:
        raise ImproperlyConfigured(
            f"{label}: erasure must be one of {ERASURE_ACTIONS}, not {declaration.erasure!r}"
        )
    field_names = {f.name for f in model._meta.get_fields()}
    for group_name in ("fields", "exclude", "files", "identifier_fields"):
        for name in getattr(declaration, group_name) or ():
            if name not in field_names:
                raise ImproperlyConfigured(f"{label}.{group_name} names an unknown field {name!r}")
    for name in declaration.anonymise:
        if name not in field_names:
            raise ImproperlyConfigured(f"{label}.anonymise names an unknown field {name!r}")
    if declaration.keeps_rows() and not declaration.anonymise and model is not get_user_model():
        raise ImproperlyConfigured(
            f"{label} keeps rows on erasure but names no fields to anonymise"
        )
    _validate_user_path(declaration)


def _validate_user_path(declaration: type[PersonalData]) -> None:
    model = declaration.model
    if declaration.is_user_model() or not declaration.user_path:
        return
    current: Any = model
    for part in declaration.user_path.split("__"):
        try:
            model_field = current._meta.get_field(part)
        except Exception as exc:
            raise ImproperlyConfigured(
                f"{model._meta.label}.user_path {declaration.user_path!r}: no field {part!r} "
                f"on {current._meta.label}"
            ) from exc
        if not model_field.is_relation:
            raise ImproperlyConfigured(
                f"{model._meta.label}.user_path {declaration.user_path!r}: "
                f"{part!r} is not a relation"
            )
        current = model_field.related_model
    if current is not get_user_model():
        raise ImproperlyConfigured(
            f"{model._meta.label}.user_path {declaration.user_path!r} ends at "
            f"{current._meta.label}, not at the user model"
        )


registry = Registry()


def register(
    model: type[models.Model] | str, declaration: type[PersonalData] | None = None
) -> Callable[[DeclarationT], DeclarationT] | Any:
    """Register a model that holds personal data on the default registry."""
    return registry.register(model, declaration)
