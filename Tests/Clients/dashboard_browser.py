"""Drives a Rakis node's dashboard in headless Chromium (Debian's, through selenium): loads
it, logs in with the API key (after a wrong key is refused), asks a question through its form, waits for the request to finalize on the timeline,
checks the members table and the embedding plot, and saves a screenshot. Prints one JSON line
per check; exits 1 on the first failed check.
Usage: dashboard_browser.py http://HOST:PORT SCREENSHOT.png API_KEY"""
import json
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, screenshot, key = sys.argv[1], sys.argv[2], sys.argv[3]


def report(check, ok, **details):
    print(json.dumps({"check": check, "ok": ok, **details}), flush=True)
    if not ok:
        sys.exit(1)


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1000"]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    started = time.monotonic()
    driver.get(base + "/")

    def log_in(text):
        WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "login").get_attribute("open") is not None)
        field = driver.find_element(By.CSS_SELECTOR, "#login input[name=key]")
        field.clear()
        field.send_keys(text)
        driver.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()

    log_in("rk_" + "0" * 16 + "_" + "0" * 64)
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "login").get_attribute("open") is not None
                                    and "invalid API key" in d.find_element(By.ID, "login-reason").text)
    report("wrong key refused", True, reason=driver.find_element(By.ID, "login-reason").text)
    log_in(key)
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "identity").text.startswith("node "))
    ready = time.monotonic() - started
    navigation = driver.execute_script(
        "const n = performance.getEntriesByType('navigation')[0]; return [n.domContentLoadedEventEnd, n.loadEventEnd];")
    report("loaded", True, domContentLoadedMs=round(navigation[0]), loadMs=round(navigation[1]), statusShownMs=round(ready * 1000))

    models = [option.text for option in driver.find_elements(By.CSS_SELECTOR, "#ask select[name=models] option")]
    report("models", "smollm2-135m-instruct" in models, models=models)

    prompt = driver.find_element(By.CSS_SELECTOR, "#ask textarea[name=prompt]")
    prompt.clear()
    prompt.send_keys("Name three colours.")
    tokens = driver.find_element(By.CSS_SELECTOR, "#ask input[name=maxTokens]")
    tokens.clear()
    tokens.send_keys("16")
    driver.find_element(By.CSS_SELECTOR, "#ask button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "ask-status").text.startswith("sent "))

    final = "#timeline li[data-step=final]"
    WebDriverWait(driver, 120).until(
        lambda d: "done" in d.find_element(By.CSS_SELECTOR, final).get_attribute("class")
        or "failed" in d.find_element(By.CSS_SELECTOR, final).get_attribute("class"))
    outcome = driver.find_element(By.ID, "outcome").text
    report("finalized", outcome.startswith("final:"), outcome=outcome)

    steps = [li.get_attribute("class") for li in driver.find_elements(By.CSS_SELECTOR, "#timeline li")]
    report("timeline", all("done" in step for step in steps), steps=steps)
    rows = driver.find_elements(By.CSS_SELECTOR, "#members tbody tr")
    report("members", len(rows) >= 3 and any("chosen cluster" in row.text for row in rows), rows=[row.text for row in rows])
    points = driver.find_elements(By.CSS_SELECTOR, "#plot circle[data-node]")
    report("plot", len(points) >= 3, points=len(points))
    packets = driver.find_elements(By.CSS_SELECTOR, "#packets li")
    report("packet log", len(packets) >= 5, packets=len(packets))
    driver.save_screenshot(screenshot)
    report("screenshot", True, path=screenshot)
finally:
    driver.quit()
