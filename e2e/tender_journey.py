"""Browser journey (issue #5, R-T1 … R-T5) on the demo world: a visitor posts a tender; Alpenweb,
which matches it, sees the excerpt without contact, opens it and sees the contact, sends an
offer; the visitor deletes the tender from the link in their e-mail (after a confirmation); the
partner then sees "no longer available". Headless Chromium, JavaScript off.

Usage: python e2e/tender_journey.py http://127.0.0.1:8080   (a `serve --demo`: the fan-out runs
in its background job, the e-mail is read from the development mailbox)
"""
import re
import sys
import time

from selenium.webdriver.common.by import By

from common import Tally, driver, fill, log_in, submit, wait_for_server, click_and_wait, ARTIFACTS

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
PASSWORD = "demo-password-2026"
PARTNER = "anna@alpenweb.demo"   # Alpenweb: website creation, Zurich, German
tally = Tally()
check = tally.check


def main():
    wait_for_server(BASE)
    stamp = str(int(time.time()))
    title = f"Online shop for our bakery {stamp}"
    contact = f"visitor{stamp}@example.org"
    description = ("We bake bread in Zurich and want to sell online: a shop with pick-up slots, our current site moved over, "
                   "and two mailboxes. Please include hosting for the first year. ") * 2
    browser = driver()
    try:
        # A visitor, signed in nowhere, posts a tender.
        browser.delete_all_cookies()
        browser.get(BASE + "/tenders/new")
        check("the tender form is public", "Request offers" in browser.page_source, browser.current_url)
        fill(browser, "title", title)
        fill(browser, "description", description)
        browser.find_element(By.NAME, "category_website-creation").click()
        browser.find_element(By.CSS_SELECTOR, "select[name=region] option[value=ch-zurich]").click()
        browser.find_element(By.CSS_SELECTOR, "select[name=language] option[value=de]").click()
        fill(browser, "contact_name", "Vera Visitor")
        # An address the browser's own check lets through (a@b) but the server does not.
        fill(browser, "contact_email", "vera@weingut")
        submit(browser)
        check("an unusable contact e-mail is named and the text kept",
              "error-summary" in browser.page_source and browser.find_element(By.NAME, "title").get_attribute("value") == title)
        fill(browser, "contact_email", contact)
        fill(browser, "contact_phone", "+41 44 555 12 34")
        submit(browser)
        check("the visitor is thanked and told about the e-mail", "your tender is on its way" in browser.page_source, browser.current_url)

        # The partner: the excerpt arrives through the background fan-out.
        log_in(browser, BASE, PARTNER, PASSWORD)
        home = browser.current_url.split("/console/orgs/")[1].split("/")[0]
        tenders = BASE + "/console/orgs/" + home + "/tenders"
        for _ in range(30):
            browser.get(tenders)
            if title in browser.page_source:
                break
            time.sleep(1)
        page = browser.page_source
        check("the matching partner lists the tender", title in page)
        check("the list shows the first 200 characters", description[:200] in page and description[:201] not in page)
        check("the list shows no contact details", contact not in page and "555 12 34" not in page)
        browser.save_screenshot(ARTIFACTS + "/tender-list.png")
        click_and_wait(browser, browser.find_element(By.LINK_TEXT, title))
        tender_url = browser.current_url
        check("the opened tender shows the contact", contact in browser.page_source and "+41 44 555 12 34" in browser.page_source)
        fill(browser, "message", "We build bakery shops every month; a proposal is attached to this message.")
        fill(browser, "price", "3900")
        submit(browser, "main form.form button.primary")
        check("the offer is sent", "Your offer was e-mailed to the contact." in browser.page_source)

        # The visitor follows the link in their confirmation e-mail (the demo's development mailbox).
        browser.delete_all_cookies()
        browser.get(BASE + "/dev/mailbox")
        mails = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "table tbody a") if title in a.text and "Your tender" in a.text]
        check("the confirmation e-mail reached the contact", len(mails) == 1)
        browser.get(mails[0])
        body = browser.find_element(By.CSS_SELECTOR, ".mail-body").text
        links = re.findall(r"https?://\S+/tenders/manage/[A-Za-z0-9_-]+", body)
        check("the e-mail carries the management and deletion links", len(links) >= 1 and "/delete" in body, body[:300])
        manage = links[0]
        browser.get(manage)
        check("the contact sees the partner's offer", "Alpenweb GmbH" in browser.page_source and "bakery shops every month" in browser.page_source)
        click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Delete tender"))
        check("deleting asks for confirmation first", "cannot be undone" in browser.page_source)
        submit(browser, "main form.actions button.danger")
        check("the tender is deleted", "The tender is deleted." in browser.page_source)
        browser.get(manage + "/delete")
        check("the link used twice says so", "already deleted" in browser.page_source)

        # The partner now sees "no longer available" and no contact.
        log_in(browser, BASE, PARTNER, PASSWORD)
        browser.get(tender_url)
        page = browser.page_source
        check("the partner sees that it is no longer available", "no longer available" in page)
        check("and no contact details", contact not in page and "555 12 34" not in page)
        browser.save_screenshot(ARTIFACTS + "/tender-gone.png")
    finally:
        browser.quit()
    return tally.finish("tender journey")


if __name__ == "__main__":
    sys.exit(main())
