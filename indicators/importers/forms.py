from django import forms
from django.conf import settings

from indicators.importers.extension_sources import source_label


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

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ASSESSMENT_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; uploads are limited to "
                f"{limit / (1024 * 1024):.1f} MB. Split it into smaller files."
            )
        return upload
