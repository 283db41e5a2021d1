import pytest
from .test_languages import ministry, ministry_submission, ministry_focal_point  # noqa
from .actions import log_in, switch_language
pytestmark = pytest.mark.browser

def test_shot(page, ministry_submission, ministry_focal_point):
    log_in(page, ministry_focal_point.username)
    switch_language(page, "ar")
    page.goto(f"/questionnaires/{ministry_submission.pk}/capabilities/3/")
    page.screenshot(path="/tmp/shots/real_ar.png", full_page=False)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.screenshot(path="/tmp/shots/real_ar_focus.png", full_page=False)
    print(page.locator("#ind-C03\\.1 label").all_inner_texts()[:3])
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path="/tmp/shots/real_ar_mobile.png", full_page=False)
