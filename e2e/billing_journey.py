"""Browser journey (issue #4) on the demo world: a partner orders 35 web hostings for a client in
payment mode `partner`, sees the breakdown with CHF 208.32, downloads the CSV export of the
client's billing data; the client sees no invoice for it. Headless Chromium, JavaScript off.

Usage: python e2e/billing_journey.py http://127.0.0.1:8080   (a `serve --demo`)
"""
import sys
import urllib.request

from selenium.webdriver.common.by import By

from common import Tally, driver, fill, log_in, submit, wait_for_server, click_and_wait, ARTIFACTS, org_url

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
PASSWORD = "demo-password-2026"
PARTNER = "anna@alpenweb.demo"      # Alpenweb GmbH: full access in mode partner for Weingut Keller
CLIENT = "ines@keller.demo"         # Weingut Keller
tally = Tally()
check = tally.check



def main():
    wait_for_server(BASE)
    browser = driver()
    try:
        log_in(browser, BASE, PARTNER, PASSWORD)
        partner_home = org_url(browser)
        browser.get(partner_home + "/clients")
        rows = [r for r in browser.find_elements(By.CSS_SELECTOR, "table tbody tr") if "Weingut Keller" in r.text]
        check("the client is in the partner's list", len(rows) == 1)
        row = rows[0]
        row.find_element(By.CSS_SELECTOR, "summary").click()
        order_link = row.find_element(By.LINK_TEXT, "Order for this client").get_attribute("href")
        export_link = row.find_element(By.LINK_TEXT, "Export billing data (CSV)").get_attribute("href")
        browser.get(order_link)
        check("the order form names the client", "Order for Weingut Keller" in browser.page_source)
        browser.find_element(By.CSS_SELECTOR, "select[name=category] option[value=web-hosting]").click()
        fill(browser, "name", "Web hosting keller.ch")
        fill(browser, "quantity", "35")
        submit(browser)
        page = browser.page_source
        check("the breakdown starts at the list price CHF 347.20", "List price: CHF 347.20" in page)
        check("the partner discount step gives CHF 277.76", "CHF 277.76" in page)
        check("the partner pays CHF 208.32 for 35 hostings", "CHF 208.32" in page)
        check("the breakdown names the partner as payer and the R-B3 row", "Alpenweb GmbH (partner)" in page and "R-B3, row 5" in page)
        browser.save_screenshot(ARTIFACTS + "/billing-breakdown.png")
        browser.find_element(By.CSS_SELECTOR, "input[name=payment_method][value=wallet]").click()
        submit(browser, "main form.form button.primary")
        check("the order is placed and its invoice is the partner's", "Open invoice" in browser.page_source, browser.current_url)

        # The CSV export, fetched with the browser's session cookie.
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
        request = urllib.request.Request(export_link, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=10) as response:
            content_type = response.headers.get("Content-Type", "")
            csv = response.read().decode("utf-8")
        check("the export is CSV", content_type.startswith("text/csv"), content_type)
        lines = csv.strip().split("\r\n")
        check("the export has a header row", lines[0].startswith("date,order,kind,product,"), lines[0])
        check("the export holds the 35 hostings at 208.32 with the partner's discount",
              any(",35,CHF,347.20,208.32,partner,discount,52.08,5," in line for line in lines), "\n".join(lines[-3:]))

        # The client: no invoice for the partner-paid order.
        log_in(browser, BASE, CLIENT, PASSWORD)
        browser.get(org_url(browser) + "/billing")
        check("the client sees no invoice", "No invoices yet." in browser.page_source)
        browser.get(org_url(browser) + "/products")
        check("the 35 hostings belong to the client", browser.page_source.count("Web hosting keller.ch (") == 35)
    finally:
        browser.quit()
    return tally.finish("billing journey")


if __name__ == "__main__":
    sys.exit(main())
