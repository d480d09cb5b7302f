"""Drives two Rakis nodes' transport chat pages in headless Chromium (Debian's, through
selenium): types a message on node A's page, waits for it to appear on node B's with every
expected transport listed, answers from B and waits for A to show the answer, checks both
transport panels show latency figures, and saves a screenshot of B's page. Prints one JSON
line per check; exits 1 on the first failed check.
Usage: chat_browser.py http://NODE_A http://NODE_B TRANSPORT[,TRANSPORT...] SCREENSHOT.png"""
import json
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

node_a, node_b, expected, screenshot = sys.argv[1], sys.argv[2], sorted(sys.argv[3].split(",")), sys.argv[4]


def report(check, ok, **details):
    print(json.dumps({"check": check, "ok": ok, **details}), flush=True)
    if not ok:
        sys.exit(1)


def message_item(driver, text):
    """The chat page's item for the message with this text, or None."""
    for item in driver.find_elements(By.CSS_SELECTOR, "#messages li.message"):
        if item.find_element(By.CSS_SELECTOR, ".text").text == text:
            return item
    return None


def deliveries(item):
    return {chip.get_attribute("data-transport"): int(chip.get_attribute("data-delay"))
            for chip in item.find_elements(By.CSS_SELECTOR, "li.delivery[data-transport]")}


def wait_for_transports(driver, text, timeout=60):
    """Waits until the message is on the page with every expected transport; its deliveries."""
    try:
        WebDriverWait(driver, timeout).until(
            lambda d: (item := message_item(d, text)) is not None and sorted(deliveries(item)) == expected)
    except TimeoutException:
        pass
    item = message_item(driver, text)
    return (item, deliveries(item) if item else {})


def send(driver, text):
    box = driver.find_element(By.CSS_SELECTOR, "#chat-form textarea")
    box.clear()
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "chat-status").text.startswith("sent "))


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900"]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    def open_page(base):
        driver.get(base + "/chat")
        WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "identity").text.startswith("node "))
        return driver.current_window_handle, driver.find_element(By.ID, "identity").text.split()[1]

    tab_a, identity_a = open_page(node_a)
    driver.switch_to.new_window("tab")
    tab_b, identity_b = open_page(node_b)
    report("loaded", identity_a != identity_b, a=identity_a, b=identity_b)

    text = "Hello from A over %s! ✓" % ", ".join(expected)
    driver.switch_to.window(tab_a)
    started = time.monotonic()
    send(driver, text)
    own = message_item(driver, text)
    report("sent on A", own is not None and "own" in own.get_attribute("class"), text=text)

    driver.switch_to.window(tab_b)
    item, seen = wait_for_transports(driver, text)
    report("shown on B", item is not None, seconds=round(time.monotonic() - started, 3))
    report("B lists every transport", sorted(seen) == expected, deliveries=seen, expected=expected)
    report("B names the sender", item.get_attribute("data-sender") == identity_a, sender=item.get_attribute("data-sender"))

    answer = "And back from B."
    send(driver, answer)
    driver.switch_to.window(tab_a)
    item, seen_a = wait_for_transports(driver, answer)
    report("A shows B's answer with every transport", item is not None and sorted(seen_a) == expected, deliveries=seen_a)

    for name, tab in [("A", tab_a), ("B", tab_b)]:
        driver.switch_to.window(tab)
        try:
            WebDriverWait(driver, 15).until(lambda d: all(
                d.find_element(By.CSS_SELECTOR, f"#transports tr[data-transport={t}] td.latency").text != "–" for t in expected))
        except TimeoutException:
            pass
        rows = {row.get_attribute("data-transport"): row.find_element(By.CSS_SELECTOR, "td.latency").text
                for row in driver.find_elements(By.CSS_SELECTOR, "#transports tbody tr")}
        report(f"transport panel on {name}", all(rows.get(t, "–") != "–" for t in expected), latency=rows)
    driver.switch_to.window(tab_b)
    driver.save_screenshot(screenshot)
    report("screenshot", True, path=screenshot)
finally:
    driver.quit()
