"""Browser journey (issue #2): sign up, log out, log in, switch to German, create an API token,
see the support code. Real headless Chromium driven by Selenium; the server runs on 127.0.0.1.

Usage: python e2e/journey.py http://127.0.0.1:8080
"""
import os
import re
import sys
import time
import urllib.request

from selenium.webdriver.common.by import By

from common import ARTIFACTS, Tally, click_and_wait, driver, fill, submit, wait_for_server

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
tally = Tally()
check = tally.check


def main():
    wait_for_server(BASE)
    email = f"journey-{int(time.time())}@example.ch"
    password = "journey-password-1"
    browser = driver()
    try:
        # Sign up.
        browser.get(BASE + "/signup")
        check("sign-up page has labelled fields", browser.find_element(By.CSS_SELECTOR, "label[for=f-email]").text != "")
        fill(browser, "name", "Julia Journey")
        fill(browser, "email", email)
        fill(browser, "password", "short")  # passes the browser's own checks, not the server's
        fill(browser, "organisation_name", "Journey AG")
        submit(browser)
        check("a too short password is shown next to its field",
              "has-error" in browser.find_element(By.ID, "f-password").find_element(By.XPATH, "..").get_attribute("class"))
        check("the error summary links to the field", browser.find_element(By.CSS_SELECTOR, ".error-summary a[href='#f-password']") is not None)
        check("the form keeps what was typed", browser.find_element(By.NAME, "organisation_name").get_attribute("value") == "Journey AG")
        fill(browser, "email", email)
        fill(browser, "password", password)
        submit(browser)
        # R-H1: sign-up answers alike for new and registered addresses: check the inbox, sign in.
        check("sign-up asks to check the inbox, with a sign-in form for the address", "Check your inbox" in browser.page_source
              and browser.find_element(By.NAME, "email").get_attribute("value") == email)
        fill(browser, "password", password)
        submit(browser)
        check("signing in opens the organisation's dashboard", "/console/orgs/" in browser.current_url and "Journey AG" in browser.page_source,
              browser.current_url)
        browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard.png"))

        # Members page lists the new legal representative.
        click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Members"))
        check("members page lists the legal representative", "legal representative" in browser.page_source and email in browser.page_source)

        # Log out.
        browser.find_element(By.CSS_SELECTOR, "details.user summary").click()
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "details.user form button"))
        check("log-out leads to the sign-in page", browser.current_url.endswith("/login"), browser.current_url)
        browser.get(BASE + "/console/profile")
        check("after log-out the console asks to sign in", "/login" in browser.current_url, browser.current_url)

        # Log in.
        browser.get(BASE + "/login")
        fill(browser, "email", email)
        fill(browser, "password", password)
        submit(browser)
        check("log-in opens the console", "/console/orgs/" in browser.current_url,
              browser.current_url + " " + "".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, ".error-summary")))

        # Switch language to German.
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "nav.languages a[lang=de]"))
        check("the switcher turns the console German", browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
              and "Mitglieder" in browser.page_source)
        browser.get(BASE + "/console/profile")
        check("the German choice is remembered", "Supportcode" in browser.page_source)

        # Create an API token.
        fill(browser, "token_name", "Journey laptop")
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=tokens] form button"))
        token = browser.find_element(By.ID, "new-token").text
        check("a new API token is shown once", token.startswith("ph_") and len(token) > 40, token)
        request = urllib.request.Request(BASE + "/api/v1/me", headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(request, timeout=5) as response:
            check("the token works on the API", response.status == 200 and email in response.read().decode())

        # See the support code.
        code = browser.find_element(By.ID, "support-code").text
        check("the profile shows an 8-digit support code", re.fullmatch(r"\d{4} \d{4}", code) is not None, code)
        browser.save_screenshot(os.path.join(ARTIFACTS, "profile-de.png"))

        # Narrow screens still work.
        browser.set_window_size(375, 800)
        browser.get(BASE + "/console/profile")
        browser.save_screenshot(os.path.join(ARTIFACTS, "profile-375.png"))
        check("the profile renders at 375 px", "Supportcode" in browser.page_source)
    finally:
        browser.quit()
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
