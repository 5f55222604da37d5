"""Browser journey (issue #13, R-O6): a new user forgets the password. From the sign-in page's
"Forgot your password?" link, asks for a reset, opens the link from the development mailbox, sets
a new password, signs in with it (the old one no longer works), and finds the link used up.
Headless Chromium, JavaScript off; the forgot page is also checked at 375 px. The user is signed
up here, so no demo persona's password changes (the injection crawl signs them in afterwards).

Usage: python e2e/recovery_journey.py http://127.0.0.1:8090   (a `serve --demo`)
"""
import re
import sys
import uuid

from selenium.webdriver.common.by import By

from common import ARTIFACTS, Tally, click_and_wait, driver, fill, log_in, submit, wait_for_server

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8090"
EMAIL = f"forgetful-{uuid.uuid4().hex[:8]}@example.test"
OLD, NEW = "first-password-2026", "second-password-2026"
tally = Tally()
check = tally.check

wait_for_server(BASE)
browser = driver()
try:
    browser.get(BASE + "/signup")
    fill(browser, "name", "Fritz Vergesslich")
    fill(browser, "email", EMAIL)
    fill(browser, "password", OLD)
    fill(browser, "organisation_name", "Vergesslich GmbH")
    submit(browser)
    check("signed up", "Check" in browser.page_source or "/login" in browser.current_url)

    browser.delete_all_cookies()
    browser.get(BASE + "/login")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Forgot your password?"))
    check("the sign-in page leads to the forgot page", browser.current_url.endswith("/forgot-password"))
    browser.set_window_size(375, 800)
    browser.save_screenshot(f"{ARTIFACTS}/recovery-forgot-375.png")
    browser.set_window_size(1200, 800)
    fill(browser, "email", EMAIL)
    submit(browser)
    check("the answer says a link is on its way, if the address has an account", "Check your inbox" in browser.page_source and EMAIL in browser.page_source)

    browser.get(BASE + "/dev/mailbox")
    mails = [a for a in browser.find_elements(By.CSS_SELECTOR, "a[href^='/dev/mailbox/']") if a.text == "Reset your password"]
    check("the reset mail arrived", bool(mails))
    click_and_wait(browser, mails[0])
    match = re.search(r"/reset-password/[A-Za-z0-9_-]+", browser.page_source)
    check("the mail holds the link", match is not None)
    link = BASE + match.group(0)
    browser.get(link)
    check("the link opens a form for the new password", browser.find_elements(By.NAME, "new_password") != [])
    fill(browser, "new_password", NEW)
    submit(browser)
    check("saved: back on the sign-in page, told every session ended", browser.current_url.endswith("/login") and "Every session and API token was ended" in browser.page_source)

    log_in(browser, BASE, EMAIL, OLD)
    check("the old password no longer signs in", "/console" not in browser.current_url)
    log_in(browser, BASE, EMAIL, NEW)
    check("the new password signs in", "/console" in browser.current_url)

    browser.delete_all_cookies()
    browser.get(link)
    check("the link is used up", "used already" in browser.page_source and browser.find_elements(By.NAME, "new_password") == [])
finally:
    browser.quit()
tally.finish("recovery journey")
