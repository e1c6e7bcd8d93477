"""The accessibility check itself must be able to fail."""

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_axe_check_fails_on_an_inaccessible_page(browser):
    page = browser.new_page()
    page.set_content('<html><body><main><img src="x.png"><input type="text"></main></body></html>')
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    assert "image-alt" in str(failure.value)
    assert "html-has-lang" in str(failure.value)
    page.close()
