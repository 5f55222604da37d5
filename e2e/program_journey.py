"""Browser journey (issue #5, R-E1, R-E2, R-D1) on the demo world: an organisation signs up and
applies with a valid Swiss UID; the program admin approves it with rates in the provider
console; it opts in to the directory and appears there with the register mark. Headless
Chromium, JavaScript off.

Usage: python e2e/program_journey.py http://127.0.0.1:8080   (a `serve --demo`)
"""
import sys
import time

from selenium.webdriver.common.by import By

from common import Tally, driver, fill, log_in, submit, wait_for_server, click_and_wait, ARTIFACTS

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
PASSWORD = "demo-password-2026"
ADMIN = "admin@provider.demo"
tally = Tally()
check = tally.check


def main():
    wait_for_server(BASE)
    stamp = str(int(time.time()))
    email = f"nora{stamp}@nordlicht.example"
    password = "journey-password-1"
    name = f"Nordlicht Web {stamp}"
    browser = driver()
    try:
        browser.delete_all_cookies()
        browser.get(BASE + "/signup")
        fill(browser, "name", "Nora Nordlicht")
        fill(browser, "email", email)
        fill(browser, "password", password)
        fill(browser, "organisation_name", name)
        submit(browser)
        # Sign-up answers alike for every address (R-H1): sign in with the password just chosen.
        fill(browser, "password", password)
        submit(browser)
        org = BASE + "/console/orgs/" + browser.current_url.split("/console/orgs/")[1].split("/")[0]
        click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Partner program"))
        check("the program page shows the reseller terms", "Reseller terms (version" in browser.page_source)
        fill(browser, "register_id", "CHE-123.456.789")
        fill(browser, "website", "https://nordlicht.example.ch")
        browser.find_element(By.NAME, "accept_terms").click()
        browser.find_element(By.NAME, "minimum_volume").click()
        submit(browser)
        check("a wrong check digit is named, the website kept",
              "check digit" in browser.page_source and browser.find_element(By.NAME, "website").get_attribute("value") == "https://nordlicht.example.ch")
        fill(browser, "register_id", "CHE-123.456.788")
        if not browser.find_element(By.NAME, "accept_terms").is_selected():
            browser.find_element(By.NAME, "accept_terms").click()
        if not browser.find_element(By.NAME, "minimum_volume").is_selected():
            browser.find_element(By.NAME, "minimum_volume").click()
        submit(browser)
        check("the application is received", "Your application was received" in browser.page_source and "Under review" in browser.page_source)

        # The program admin approves it with rates.
        browser.delete_all_cookies()
        browser.get(BASE + "/provider/login")
        fill(browser, "email", ADMIN)
        fill(browser, "password", PASSWORD)
        submit(browser)
        browser.get(BASE + "/provider/applications")
        check("the application waits in the queue", name in browser.page_source)
        click_and_wait(browser, browser.find_element(By.LINK_TEXT, name))
        check("the application shows the verified UID", "CHE-123.456.788" in browser.page_source and "verified" in browser.page_source)
        fill(browser, "rate_web-hosting", "20")
        fill(browser, "rate_mail-hosting", "15")
        submit(browser, "section[aria-labelledby=approve] button.primary")
        check("the approval is confirmed", "The application is approved" in browser.page_source)
        browser.save_screenshot(ARTIFACTS + "/provider-applications.png")
        browser.get(BASE + "/provider/partners")
        check("the new partner is in the partner list", name in browser.page_source)

        # The new partner opts in to the directory.
        log_in(browser, BASE, email, password)
        browser.get(org + "/benefits")
        check("the partner's benefits show the chosen rate", "20.00 %" in browser.page_source or "20 %" in browser.page_source)
        browser.get(org + "/directory-profile")
        fill(browser, "description", "Websites and hosting for the north-east of Switzerland.")
        fill(browser, "website", "https://nordlicht.example.ch")
        browser.find_element(By.NAME, "language_de").click()
        browser.find_element(By.NAME, "region_ch-east").click()
        browser.find_element(By.NAME, "specialty_website-creation").click()
        browser.find_element(By.NAME, "published").click()
        submit(browser)
        check("the directory profile is saved", "Your directory entry is saved." in browser.page_source)

        browser.delete_all_cookies()
        browser.get(BASE + "/directory?region=ch-east")
        check("the partner appears in the directory", name in browser.page_source)
        click_and_wait(browser, browser.find_element(By.LINK_TEXT, name))
        check("its profile carries the register mark", "Register verified" in browser.page_source)
        check("and offers a request form addressed to it", "/tenders/new?partner=" in browser.page_source)
        browser.save_screenshot(ARTIFACTS + "/directory-profile.png")
    finally:
        browser.quit()
    return tally.finish("program journey")


if __name__ == "__main__":
    sys.exit(main())
