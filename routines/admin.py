from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from routines import selectors, services
from routines.models import RoutineStep, RoutineTemplate, RoutineWithheld, Technique
from salon.errors import Conflict


class RoutineWithheldForm(forms.ModelForm):
    slug = forms.ChoiceField(label=_("Routine"))

    class Meta:
        model = RoutineWithheld
        fields = ["salon", "slug"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].choices = [
            (routine.slug, routine.name) for routine in selectors.routine_list(include_archived=True)
        ]


@admin.register(RoutineWithheld)
class RoutineWithheldAdmin(admin.ModelAdmin):
    """Every location offers every routine, except those listed here."""

    form = RoutineWithheldForm
    list_display = ["slug", "salon"]
    list_filter = ["salon"]


@admin.register(Technique)
class TechniqueAdmin(admin.ModelAdmin):
    list_display = ["name", "hand_part", "default_pressure"]
    search_fields = ["name"]


class StepFormSet(BaseInlineFormSet):
    """The same whole-routine rules as the service: at least one step,
    numbered 1..n without gaps."""

    def clean(self):
        super().clean()
        orders = sorted(
            form.cleaned_data["order"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and "order" in form.cleaned_data
        )
        if not orders:
            raise ValidationError(_("A routine needs at least one step."))
        if orders != list(range(1, len(orders) + 1)):
            raise ValidationError(
                _("Number the steps 1 to %(last)s without gaps or repeats (got %(orders)s).")
                % {"last": len(orders), "orders": orders}
            )


class RoutineStepInline(admin.TabularInline):
    model = RoutineStep
    formset = StepFormSet
    fk_name = "routine"
    extra = 0
    ordering = ["order"]
    autocomplete_fields = ["technique"]
    fields = [
        "order", "technique", "areas", "direction", "side", "pressure", "dose_kind", "min_minutes", "max_minutes",
        "count", "unit", "seconds_per_unit", "per_side", "alternating_minutes", "uses_pain_map", "repeat_of", "notes",
        "core", "translations",
    ]  # fmt: skip


@admin.register(RoutineTemplate)
class RoutineTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "is_current", "status", "position", "qualification", "durations"]
    list_filter = ["is_current", "status", "position", "qualification"]
    search_fields = ["name", "slug"]
    readonly_fields = ["version", "is_current", "areas", "durations"]
    inlines = [RoutineStepInline]
    actions = ["duplicate_as_new_version"]

    def get_queryset(self, request):
        return selectors.routine_versions()

    @admin.display(description="Duration (min / typical)")
    def durations(self, routine):
        if routine.pk is None:
            return "—"
        spec = selectors.routine_spec(routine)
        return f"{spec.minimum_minutes} / {spec.typical_minutes} min + {routine.turnover_minutes} turnover"

    def has_change_permission(self, request, routine=None):
        """A version that plans use, or that was replaced, is read-only here:
        duplicate it as a new version to change it."""
        if routine is not None and (not routine.is_current or selectors.routine_in_use(routine)):
            return False
        return super().has_change_permission(request, routine)

    def has_delete_permission(self, request, routine=None):
        if routine is not None and selectors.routine_in_use(routine):
            return False
        return super().has_delete_permission(request, routine)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.routine_areas_refresh(routine=form.instance)

    @admin.action(description="Duplicate as a new version")
    def duplicate_as_new_version(self, request, queryset):
        for routine in queryset:
            try:
                successor = services.routine_new_version(routine=routine)
            except Conflict as error:
                self.message_user(request, f"{routine}: {error.detail}", messages.WARNING)
            else:
                self.message_user(
                    request,
                    gettext("%(successor)s created; %(routine)s stays as it is for its plans.")
                    % {"successor": successor, "routine": routine},
                )
