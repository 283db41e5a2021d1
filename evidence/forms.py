from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Attachment, Document


class DocumentUploadForm(forms.Form):
    file = forms.FileField(label=_("Document"))
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("For example: Child Protection Act 2021.")
    )
    replaces = forms.ModelChoiceField(
        label=_("Replaces"),
        queryset=Document.objects.none(),
        required=False,
        help_text=_("A new version of a document of your library: the old one stays on answers already submitted."),
    )

    def __init__(self, *args, library=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaces"].queryset = library


class DocumentAttachForm(forms.Form):
    document = forms.ModelChoiceField(label=_("Document from your library"), queryset=Document.objects.none())

    def __init__(self, *args, library=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = library


class LinkForm(forms.Form):
    url = forms.URLField(label=_("Link"), max_length=500, assume_scheme="https")
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class ReviewForm(forms.Form):
    review = forms.ChoiceField(
        label=_("Review"), choices=[c for c in Attachment.Review.choices if c[0]], widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
