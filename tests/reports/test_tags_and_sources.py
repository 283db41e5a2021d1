"""Tags narrow the analysis; source marks show in the questionnaire and the report's methodology annex.

The tiny framework of tests/reports/conftest.py, with tags and marks: capability 4 is tagged
"secondary", capability 3 reaches "laws" only through its indicator C03.1; C01.2 and level 0 are
portal additions. Figures as in the conftest table: ranking 3, 4, 1; capability 3 contested.
"""

import pytest
from django.urls import reverse

from capabilities.fileformat import parse_framework
from capabilities.services import framework_load
from reports.consolidation import cycle_report_data
from reports.pdf import render_report_html
from tests.conftest import TINY_FRAMEWORK_FILE

pytestmark = pytest.mark.django_db

TAGS = """tags:
- code: secondary
  lens: Prevention level
  name: Secondary prevention
  translations:
    fr: {name: Prévention secondaire, lens: Niveau de prévention}
- code: laws
  lens: INSPIRE strategy
  name: Implementation and enforcement of laws
capabilities:
"""


def tagged_tiny_text():
    text = TINY_FRAMEWORK_FILE.read_text().replace("capabilities:\n", TAGS, 1)
    text = text.replace(
        "  title: Dedicated law enforcement\n", "  title: Dedicated law enforcement\n  tags: [secondary]\n"
    )
    text = text.replace("  - code: C03.1\n", "  - code: C03.1\n    tags: [laws]\n")
    text = text.replace("  - code: C01.2\n", "  - code: C01.2\n    source: portal\n")
    return text.replace(
        "{level: 0, name: Not in place, description: Nothing.}",
        "{level: 0, name: Not in place, description: Nothing., source: portal}",
    )


@pytest.fixture
def tiny_framework(db):
    """The tiny framework with tags and source marks (replaces the conftest's for this module)."""
    return framework_load(data=parse_framework(tagged_tiny_text(), "tiny-tagged")).version


def analysis(client, user, cycle, **params):
    client.force_login(user)
    response = client.get(reverse("reports:cycle_analysis", args=[cycle.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def ranked(body):
    table = body.split('id="ranked-gaps"', 1)[1].split("</table>", 1)[0]
    return [row.split("</td>", 2)[1].split(". ", 1)[0].split(">")[-1] for row in table.split("<tr>")[2:]]


def test_the_analysis_offers_the_tags_grouped_by_lens(client, coordinator, seeded_cycle):
    body = analysis(client, coordinator, seeded_cycle)

    form = body.split('id="tag-filter"', 1)[1].split("</form>", 1)[0]
    assert (
        '<optgroup label="Prevention level"><option value="secondary">Secondary prevention</option></optgroup>' in form
    )
    assert '<option value="laws">Implementation and enforcement of laws</option>' in form
    assert ranked(body) == ["3", "4", "1"]
    assert 'id="tag-filter-note"' not in body


def test_a_tag_narrows_the_lists_and_charts_to_the_capabilities_it_reaches(client, coordinator, seeded_cycle):
    body = analysis(client, coordinator, seeded_cycle, tag="secondary")

    assert ranked(body) == ["4"]
    assert "Showing the 1 capability tagged “Secondary prevention” (Prevention level)" in body
    profile = body.split('class="chart domain-profile"', 1)[1].split("</figure>", 1)[0]
    assert "4. Dedicated law enforcement" in profile and "3. Legislation" not in profile
    assert 'id="validate-4"' in body and 'id="validate-3"' not in body
    # Capability 3 is contested, but not in this lens.
    assert 'id="contested-3"' not in body


def test_a_tag_on_an_indicator_brings_its_capability(client, coordinator, seeded_cycle):
    body = analysis(client, coordinator, seeded_cycle, tag="laws")

    assert ranked(body) == ["3"]
    assert 'id="contested-3"' in body


def test_an_unknown_tag_shows_everything(client, coordinator, seeded_cycle):
    assert ranked(analysis(client, coordinator, seeded_cycle, tag="nope")) == ["3", "4", "1"]


def test_tag_names_follow_the_page_language(client, coordinator, seeded_cycle):
    client.force_login(coordinator)
    body = client.get(
        reverse("reports:cycle_analysis", args=[seeded_cycle.pk]), {"tag": "secondary"}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert (
        '<optgroup label="Niveau de prévention"><option value="secondary" selected>Prévention secondaire</option>'
        in body
    )
    assert "« Prévention secondaire » (Niveau de prévention)" in body


def test_an_observer_can_filter_too(client, observer, seeded_cycle):
    assert "Showing the 1 capability tagged" in analysis(client, observer, seeded_cycle, tag="secondary")


def test_the_report_data_lists_tags_and_portal_additions(seeded_cycle):
    data = cycle_report_data(seeded_cycle)

    assert data["tags"] == [
        {"code": "secondary", "name": "Secondary prevention", "lens": "Prevention level", "capabilities": [4]},
        {
            "code": "laws",
            "name": "Implementation and enforcement of laws",
            "lens": "INSPIRE strategy",
            "capabilities": [3],
        },
    ]
    assert data["portal_additions"] == {"levels": [0], "enablers": [], "enabler_links": False, "indicators": ["C01.2"]}


def test_the_methodology_annex_names_the_portal_additions(seeded_cycle):
    html = render_report_html(cycle_report_data(seeded_cycle))

    annex = html.split('id="portal-additions"', 1)[1].split("</ul>", 1)[0]
    assert "maturity level 0 (the MNR Maturity Model has four phases" in annex
    assert "indicators C01.2, which the MNR text does not contain." in annex
    assert "enablers" not in annex


def test_the_annex_is_in_the_reports_language(seeded_cycle):
    html = render_report_html(cycle_report_data(seeded_cycle, language="es"))
    assert "los indicadores C01.2, que no figuran en el texto del MNR." in html


def test_the_questionnaire_says_which_indicator_and_level_the_portal_added(
    client, focal_point, seeded_cycle, organisation
):
    submission = seeded_cycle.submissions.get(organisation=organisation)
    client.force_login(focal_point)
    body = client.get(reverse("assessments:questionnaire_capability", args=[submission.pk, 1])).content.decode()

    c01_1 = body.split('id="ind-C01.1"', 1)[1].split("</article>", 1)[0]
    c01_2 = body.split('id="ind-C01.2"', 1)[1].split("</article>", 1)[0]
    assert "portal-addition" not in c01_1
    assert "This indicator is not in the published MNR 2016 text: MNR Portal added it as good practice." in c01_2
    assert "Level 0 “Not in place” is not one of the MNR Maturity Model's phases" in body
