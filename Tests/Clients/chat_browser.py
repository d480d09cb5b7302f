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


# The page re-renders its message list and transport panel as events arrive, so an element found
# a moment ago may be gone by the next WebDriver call (a stale element). Each read below is one
# script that runs between two renders and returns plain data.
READ_MESSAGE = """
const [text] = arguments;
for (const item of document.querySelectorAll('#messages li.message')) {
  if (item.querySelector('.text')?.textContent !== text) continue;
  const deliveries = {};
  for (const chip of item.querySelectorAll('li.delivery[data-transport]'))
    deliveries[chip.dataset.transport] = Number(chip.dataset.delay);
  return {own: item.classList.contains('own'), sender: item.dataset.sender, deliveries};
}
return null;
"""

READ_PANEL = """
const rows = {};
for (const row of document.querySelectorAll('#transports tbody tr'))
  rows[row.dataset.transport] = row.querySelector('td.latency')?.textContent ?? '';
return rows;
"""


def message_item(driver, text):
    """The chat page's message with this text (own, sender, deliveries), or None."""
    return driver.execute_script(READ_MESSAGE, text)


def wait_for_transports(driver, text, timeout=60):
    """Waits until the message is on the page with every expected transport; the message."""
    try:
        WebDriverWait(driver, timeout).until(
            lambda d: (item := message_item(d, text)) is not None and sorted(item["deliveries"]) == expected)
    except TimeoutException:
        pass
    return message_item(driver, text)


def panel(driver):
    """The transport panel's latency cell per transport."""
    return driver.execute_script(READ_PANEL)


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
    report("sent on A", own is not None and own["own"], text=text)

    driver.switch_to.window(tab_b)
    item = wait_for_transports(driver, text)
    report("shown on B", item is not None, seconds=round(time.monotonic() - started, 3))
    report("B lists every transport", sorted(item["deliveries"]) == expected, deliveries=item["deliveries"], expected=expected)
    report("B names the sender", item["sender"] == identity_a, sender=item["sender"])

    answer = "And back from B."
    send(driver, answer)
    driver.switch_to.window(tab_a)
    item = wait_for_transports(driver, answer)
    report("A shows B's answer with every transport", item is not None and sorted(item["deliveries"]) == expected,
           deliveries=item["deliveries"] if item else {})

    for name, tab in [("A", tab_a), ("B", tab_b)]:
        driver.switch_to.window(tab)
        try:
            WebDriverWait(driver, 15).until(lambda d: all(panel(d).get(t, "–") not in ("–", "") for t in expected))
        except TimeoutException:
            pass
        rows = panel(driver)
        report(f"transport panel on {name}", all(rows.get(t, "–") not in ("–", "") for t in expected), latency=rows)
    driver.switch_to.window(tab_b)
    driver.save_screenshot(screenshot)
    report("screenshot", True, path=screenshot)
finally:
    driver.quit()
