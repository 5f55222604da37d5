"""Browser journey (issue #11, R-B11) on the demo world: Alpenweb pays for Weingut Keller (full
access, payment mode partner). Anna, Alpenweb's legal representative, makes Keller's own orders
wait for her approval; Ines (Keller) orders a VPS, sees the public price only and no payment
choice, and is told the order waits; Anna approves it in her console at the price shown; both
sides were e-mailed (the development mailbox). Headless Chromium, JavaScript off.

Usage: python e2e/approval_journey.py http://127.0.0.1:8080   (a `serve --demo`)
"""
import re
import sys

from selenium.webdriver.common.by import By

from common import Tally, driver, fill, log_in, submit, wait_for_server, click_and_wait, ARTIFACTS, org_url

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
PASSWORD = "demo-password-2026"
PARTNER = "anna@alpenweb.demo"
CLIENT = "ines@keller.demo"
tally = Tally()
check = tally.check



def main():
    wait_for_server(BASE)
    browser = driver()
    try:
        # The partner's rule for Keller: approval first.
        log_in(browser, BASE, PARTNER, PASSWORD)
        alpenweb = org_url(browser)
        browser.get(alpenweb + "/spending")
        check("the spending page lists the client Alpenweb pays for", "Weingut Keller" in browser.page_source)
        form = [f for f in browser.find_elements(By.CSS_SELECTOR, "main form") if "Weingut Keller" in f.text][0]
        form.find_element(By.CSS_SELECTOR, "input[name=mode][value=approval]").click()
        click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        check("the rule is saved", "Saved." in browser.page_source)

        # The client orders: public price only, no means to choose, then it waits.
        log_in(browser, BASE, CLIENT, PASSWORD)
        keller = org_url(browser)
        browser.get(keller + "/order")
        browser.find_element(By.CSS_SELECTOR, "select[name=category] option[value=vps]").click()
        fill(browser, "name", "VPS shop.weingut-keller.ch")
        fill(browser, "quantity", "1")
        submit(browser)
        page = browser.page_source
        check("the client's quote says the partner pays", "pays for this order" in page)
        check("the client sees the list price of a VPS", "CHF 25.00" in page)
        check("no payment choice and no card field for the client", "card_number" not in page and "payment_method" in page)
        amounts = set(re.findall(r"CHF [0-9'.,]+", page))
        check("no partner price on the client's quote: the list price is the only amount", amounts == {"CHF 25.00"} and "Preferential" not in page, str(amounts))
        browser.save_screenshot(ARTIFACTS + "/approval-client-quote.png")
        submit(browser, "main form.form button.primary")
        check("the client is told the order waits for approval", "waits for your partner's approval" in browser.page_source, browser.current_url)

        # The partner approves at the price shown.
        log_in(browser, BASE, PARTNER, PASSWORD)
        browser.get(alpenweb + "/order-requests")
        page = browser.page_source
        check("the request is listed with what it asks for", "Weingut Keller" in page and "1 × VPS shop.weingut-keller.ch" in page)
        browser.save_screenshot(ARTIFACTS + "/approval-requests.png")
        approve = browser.find_element(By.XPATH, "//form[contains(@action,'/approve')]//button")
        check("the approve button names what Alpenweb pays", "Approve and pay CHF" in approve.text, approve.text)
        click_and_wait(browser, approve)
        check("approved: the order is placed for the client", "Approved and ordered." in browser.page_source, browser.current_url)
        browser.get(alpenweb + "/order-requests")
        check("nothing waits any more; the request is listed as approved", "No order is waiting" in browser.page_source and "approved" in browser.page_source)

        # Both sides were e-mailed.
        browser.get(BASE + "/dev/mailbox")
        mailbox = browser.page_source
        check("the partner was asked", "Weingut Keller asks to order on your account" in mailbox)
        check("the client was told it waits, then that it was approved", "Your order waits for Alpenweb GmbH" in mailbox and "Alpenweb GmbH approved your order" in mailbox)
    finally:
        browser.quit()
    return tally.finish("approval journey")


if __name__ == "__main__":
    sys.exit(main())
