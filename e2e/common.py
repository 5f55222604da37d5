"""Shared helpers for the browser journeys: headless Chromium without JavaScript, waits that
follow page loads, and a tally printed as 'e2e: N passed, M failed'."""
import os
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = os.path.join(os.path.dirname(__file__), "artifacts")
os.makedirs(ARTIFACTS, exist_ok=True)


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"ok - {name}")
        else:
            self.failed += 1
            print(f"FAIL - {name} {detail}")

    def finish(self, label="e2e"):
        print(f"{label}: {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def wait_for_server(base):
    for _ in range(60):
        try:
            urllib.request.urlopen(base + "/health", timeout=2)
            return
        except Exception:
            time.sleep(1)


def driver():
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--window-size=1200,800", "--disable-dev-shm-usage"]:
        options.add_argument(argument)
    # Pages must work without JavaScript: every journey runs with it switched off.
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2,
                                              "intl.accept_languages": "en"})
    return webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)


def fill(browser, name, value):
    field = browser.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def click_and_wait(browser, element):
    """Clicks and waits for the next page: a click returns before the navigation it starts ends."""
    page = browser.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_):
        # The old document is gone once touching its root fails (Chromium reports a stale or a
        # missing element, depending on timing).
        try:
            page.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(browser, 15).until(replaced)


def submit(browser, selector="main form.form button[type=submit]"):
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, selector))


def log_in(browser, base, email, password):
    browser.delete_all_cookies()
    browser.get(base + "/login")
    fill(browser, "email", email)
    fill(browser, "password", password)
    submit(browser)


def org_url(browser):
    """The /console/orgs/ID prefix (with scheme and host) of the page the browser is on."""
    before, after = browser.current_url.split("/console/orgs/", 1)
    return before + "/console/orgs/" + after.split("/")[0].split("?")[0]
