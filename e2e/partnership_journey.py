"""Browser journey (issue #3) on the demo world: a client adds a partner with limited access to two
products; the partner accepts from the e-mail link; an assigned employee sees exactly those two
products and a non-assigned one sees nothing; the client switches to full access with payment
mode `partner`; the client ends the partnership with the password; the partner sees nothing any more.

Usage: python e2e/partnership_journey.py http://127.0.0.1:8080   (a fresh `serve --demo`)
"""
import os
import sys

from selenium.webdriver.common.by import By

from common import ARTIFACTS, Tally, click_and_wait, driver, fill, log_in, submit, wait_for_server, org_url

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
PASSWORD = "demo-password-2026"
CLIENT = "jonas@vaduz.demo"          # Studio Vaduz, a client
PARTNER = "elise@lumiere.demo"       # Agence Lumière SARL, legal representative
ASSIGNED = "fabien@lumiere.demo"     # employee, to be assigned
UNASSIGNED = "gaelle@lumiere.demo"   # employee, never assigned
tally = Tally()
check = tally.check



def client_link(browser, name):
    links = [a for a in browser.find_elements(By.CSS_SELECTOR, "table a") if a.text == name]
    return links[0] if links else None


def main():
    wait_for_server(BASE)
    browser = driver()
    try:
        # The client adds the partner with limited access to two products.
        log_in(browser, BASE, CLIENT, PASSWORD)
        client_home = org_url(browser)
        browser.get(client_home + "/partners/new?q=Lumi")
        check("the partner search finds the approved partner", "Agence Lumière SARL" in browser.page_source)
        fill(browser, "q", "Lumi")
        browser.find_element(By.CSS_SELECTOR, "input[value=limited]").click()
        rows = browser.find_elements(By.CSS_SELECTOR, "#f-products tbody tr")
        chosen = []
        for row in rows:
            name = row.find_elements(By.TAG_NAME, "td")[0].text
            if name.startswith("Mail ") or name.startswith("kDrive "):
                for box in row.find_elements(By.CSS_SELECTOR, "input[type=checkbox]"):
                    box.click()
                chosen.append(name.split(" · ")[0])
        check("two products are chosen", len(chosen) == 2, str(chosen))
        submit(browser, "main form.form button.primary")
        check("the invitation is sent", "/partners" in browser.current_url and "Agence Lumière SARL" in browser.page_source, browser.current_url)

        # The partner accepts from the e-mail link (the development mailbox stands in for the inbox).
        log_in(browser, BASE, PARTNER, PASSWORD)
        partner_home = org_url(browser)
        browser.get(BASE + "/dev/mailbox")
        click_and_wait(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Studio Vaduz wants to add you as a partner"))
        link = [a for a in browser.find_elements(By.CSS_SELECTOR, ".mail-body a") if "/partnerships/" in a.get_attribute("href")][0]
        click_and_wait(browser, link)
        check("the invitation page names the client", "Studio Vaduz" in browser.page_source)
        submit(browser, "main form button.primary")
        check("accepting opens the managed clients", "/clients" in browser.current_url and "Studio Vaduz" in browser.page_source, browser.current_url)

        # The partner's legal representative assigns one employee.
        click_and_wait(browser, client_link(browser, "Studio Vaduz"))
        context_url = browser.current_url
        check("the client context says who manages whom", "You are managing Studio Vaduz as Agence Lumière SARL (limited access)" in browser.page_source)
        boxes = browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=assigned] label.choice")
        for label in boxes:
            if ASSIGNED in label.text:
                label.find_element(By.TAG_NAME, "input").click()
        submit(browser, "section[aria-labelledby=assigned] button")
        browser.save_screenshot(os.path.join(ARTIFACTS, "client-context.png"))

        # The assigned employee sees exactly the two products.
        log_in(browser, BASE, ASSIGNED, PASSWORD)
        browser.get(partner_home + "/clients")
        link = client_link(browser, "Studio Vaduz")
        check("the assigned employee sees the client", link is not None)
        click_and_wait(browser, link)
        names = sorted(td.text for td in browser.find_elements(By.CSS_SELECTOR, "#client-products tbody tr td:first-child"))
        check("the assigned employee sees exactly the two granted products", names == sorted(chosen), str(names))

        # A non-assigned employee sees nothing.
        log_in(browser, BASE, UNASSIGNED, PASSWORD)
        browser.get(partner_home + "/clients")
        check("a non-assigned employee does not see the client", client_link(browser, "Studio Vaduz") is None)
        browser.get(context_url)
        check("a non-assigned employee gets 'not found' for the client context", "does not exist, or it is not visible" in browser.page_source)

        # The client switches to full access with payment mode partner.
        log_in(browser, BASE, CLIENT, PASSWORD)
        browser.get(client_home + "/partners")
        click_and_wait(browser, client_link(browser, "Agence Lumière SARL"))
        partnership_url = browser.current_url
        def switch_to_full():
            browser.get(partnership_url)
            browser.find_element(By.CSS_SELECTOR, "input[name=access][value=full]").click()
            browser.find_element(By.CSS_SELECTOR, "input[name=payment_mode][value=partner]").click()
            submit(browser, "section[aria-labelledby=edit] button.primary")
        # R-P1: the pending invitation to Alpenweb holds one of the products; full access would
        # give it a second partner, so it is refused, naming the product.
        switch_to_full()
        check("full access is refused while another partner's invitation holds a product",
              "Already granted to another partner" in browser.page_source)
        # The client withdraws that invitation; now Lumière may have everything.
        browser.get(client_home + "/partners")
        row = browser.find_element(By.XPATH, "//tr[contains(., 'Alpenweb GmbH')][.//form[contains(@action, '/withdraw')]]")
        row.find_element(By.CSS_SELECTOR, "details.row-actions summary").click()   # the row's ⋮ menu
        click_and_wait(browser, row.find_element(By.XPATH, ".//form[contains(@action, '/withdraw')]//button"))
        switch_to_full()
        check("the client switched to full access, partner pays", "full access · partner pays" in browser.page_source)

        # The client ends the partnership with the password.
        browser.get(partnership_url + "/end")
        fill(browser, "password", "wrong-password-1")
        submit(browser, "main form button.danger")
        check("a wrong password changes nothing", "The password is wrong." in browser.page_source)
        fill(browser, "password", PASSWORD)
        submit(browser, "main form button.danger")
        check("ending with the password works", "Collaboration ended." in browser.page_source)

        # The partner sees nothing any more.
        log_in(browser, BASE, PARTNER, PASSWORD)
        browser.get(context_url)
        check("the partner no longer reaches the client", "does not exist, or it is not visible" in browser.page_source)
        browser.get(partner_home + "/clients")
        check("the partner's list shows the partnership as ended", client_link(browser, "Studio Vaduz") is None and "ended" in browser.page_source)
    finally:
        browser.quit()
    return tally.finish("e2e partnerships")


if __name__ == "__main__":
    sys.exit(main())
