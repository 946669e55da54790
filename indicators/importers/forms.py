from django import forms
from django.conf import settings

from indicators.importers.extension_sources import source_label, takes_default_country
from indicators.models import Country


class DatasetUploadForm(forms.Form):
    """A file to import, its source (analysts: the generic CSV only) and whether to skip invalid rows."""

    source = forms.ChoiceField()
    file = forms.FileField(help_text="A CSV file, UTF-8 encoded (the Political Terror Scale file: Latin-1).")
    skip_invalid = forms.BooleanField(
        required=False,
        label="Import the valid rows and list the invalid ones",
        help_text="Without this, one invalid row stops the whole import and nothing is created.",
    )

    def __init__(self, *args, sources: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(name, source_label(name)) for name in sources]
        if len(sources) == 1:
            self.fields["source"].initial = sources[0]
        taking = [source_label(name) for name in sources if takes_default_country(name)]
        if taking:
            self.fields["default_country"] = forms.ModelChoiceField(
                queryset=Country.objects.order_by("name"),
                to_field_name="iso3",
                required=False,
                label="Default country",
                help_text=f"{' and '.join(taking)} only: records that name no country are attributed to this one.",
            )

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("source")
        if cleaned.get("default_country") and source and not takes_default_country(source):
            self.add_error("default_country", f"The {source_label(source)} source takes no default country.")
        return cleaned

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ASSESSMENT_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; uploads are limited to "
                f"{limit / (1024 * 1024):.1f} MB. Split it into smaller files."
            )
        return upload
