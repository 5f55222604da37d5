"""Browser journey (issue #11, R-O4) on a demo world served with PARTNERHUB_TWO_FACTOR_REQUIRED=1:
Anna, a partner's legal representative, must set up two-factor sign-in before anything else; she
adds the key (the code is computed here with Python's standard library, as an authenticator app
would), keeps her ten recovery codes, signs in again with a code and once with a recovery code,
which then no longer works. Headless Chromium, JavaScript off.

Usage: python e2e/two_factor_journey.py http://127.0.0.1:8090   (a `serve --demo` with the variable set)
"""
import base64
import hashlib
import hmac
import struct
import sys
import time

from selenium.webdriver.common.by import By

from common import Tally, driver, fill, log_in, submit, wait_for_server, click_and_wait, ARTIFACTS

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8090"
PASSWORD = "demo-password-2026"
ANNA = "anna@alpenweb.demo"
tally = Tally()
check = tally.check


def totp(secret, at):
    """RFC 6238, SHA-1, 6 digits, 30 s: written here, not taken from PartnerHub."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


def log_out(browser):
    """Signs out with the visible sign-out button (the phone menu holds a second one)."""
    buttons = [b for b in browser.find_elements(By.CSS_SELECTOR, "form[action='/logout'] button") if b.is_displayed()]
    if buttons:
        click_and_wait(browser, buttons[0])
    else:
        browser.delete_all_cookies()


def main():
    wait_for_server(BASE)
    browser = driver()
    try:
        log_in(browser, BASE, ANNA, PASSWORD)
        check("a partner's legal representative is sent to set up two-factor sign-in",
              browser.current_url.endswith("/console/profile/two-factor") and "must use two-factor sign-in" in browser.page_source, browser.current_url)
        browser.get(BASE + "/console")
        check("nothing else opens before it is set up", browser.current_url.endswith("/console/profile/two-factor"), browser.current_url)
        submit(browser)
        secret = browser.find_element(By.ID, "totp-secret").text.replace(" ", "")
        check("a key is shown to add to the app", len(secret) == 32, secret)
        check("and a link for the app", "otpauth://totp/PartnerHub:anna%40alpenweb.demo" in browser.page_source)
        now = time.time()
        fill(browser, "code", totp(secret, now))
        submit(browser)
        codes = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#recovery-codes li")]
        check("ten recovery codes are shown once", len(codes) == 10, str(codes))
        browser.save_screenshot(ARTIFACTS + "/two-factor-recovery.png")
        browser.get(BASE + "/console")
        check("set up: the console opens", "/console" in browser.current_url and "two-factor" not in browser.current_url, browser.current_url)

        # Signing in again: the password, then a code (the next step: the current one is used).
        log_out(browser)
        log_in(browser, BASE, ANNA, PASSWORD)
        check("after the password, the code is asked", "/login/code" in browser.current_url, browser.current_url)
        fill(browser, "code", totp(secret, now + 30))
        submit(browser)
        check("the code signs her in", "/login" not in browser.current_url and "Alpenweb" in browser.page_source, browser.current_url)

        # A recovery code works once.
        log_out(browser)
        log_in(browser, BASE, ANNA, PASSWORD)
        fill(browser, "code", codes[0])
        submit(browser)
        check("a recovery code signs her in", "/login" not in browser.current_url, browser.current_url)
        log_out(browser)
        log_in(browser, BASE, ANNA, PASSWORD)
        fill(browser, "code", codes[0])
        submit(browser)
        check("the same recovery code is refused the second time", "/login/code" in browser.current_url and "used already" in browser.page_source)
        browser.get(BASE + "/console")
        check("and the console stays closed", "/login" in browser.current_url, browser.current_url)
    finally:
        browser.quit()
    return tally.finish("two-factor journey")


if __name__ == "__main__":
    sys.exit(main())
