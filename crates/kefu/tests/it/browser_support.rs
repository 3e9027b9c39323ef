//! Headless Chromium driven over WebDriver (Debian's `chromium` and `chromium-driver`).
//! Without them a browser test prints SKIPPED and returns, unless
//! `KEFU_TEST_REQUIRE_BROWSER` is set (CI sets it), where their absence fails the test.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: TempDir,
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| candidate.is_file())
}

impl Browser {
    /// A fresh headless Chromium (its own profile, English first unless `lang` says
    /// otherwise), or `None` when this machine has none.
    pub async fn start(test: &str, lang: &str) -> Option<Browser> {
        let (Some(driver_path), Some(chromium)) = (on_path("chromedriver"), on_path("chromium")) else {
            assert!(
                std::env::var_os("KEFU_TEST_REQUIRE_BROWSER").is_none(),
                "KEFU_TEST_REQUIRE_BROWSER is set but chromium/chromedriver are not installed"
            );
            eprintln!("SKIPPED (no chromium and chromedriver on PATH): {test}");
            return None;
        };
        let port = StdListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--lang={lang}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": { "intl.accept_languages": lang }
            }
        });
        let capabilities = capabilities.as_object().expect("object").clone();
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(capabilities.clone()).connect(&url).await {
                Ok(client) => {
                    return Some(Browser {
                        client,
                        driver,
                        _profile: profile,
                    });
                }
                Err(error) => {
                    last_error = Some(error);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("chromedriver did not start a session: {last_error:?}");
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn text(&self, css: &str) -> String {
        self.on_fresh(css, "text", |element| async move { element.text().await }).await
    }

    pub async fn fill(&self, css: &str, text: &str) {
        self.on_fresh(css, "fill", |element| async move {
            element.clear().await?;
            element.send_keys(text).await
        })
        .await
    }

    pub async fn click(&self, css: &str) {
        self.on_fresh(css, "click", |element| async move { element.click().await }).await
    }

    /// Does `action` on the element `css` selects. htmx may swap the element out between
    /// finding and using it (a live refresh, a panel loading after the page): a stale
    /// element is looked up again, a few times, before the action counts as failed.
    async fn on_fresh<T, F, Fut>(&self, css: &str, what: &str, action: F) -> T
    where
        F: Fn(fantoccini::elements::Element) -> Fut,
        Fut: std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
    {
        let mut attempts = 0;
        loop {
            match action(self.find(css).await).await {
                Ok(value) => return value,
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference && attempts < 5 =>
                {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("{what} {css}: {e}"),
            }
        }
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits until `condition` holds for the page's text inside `css`.
    pub async fn wait_text(&self, css: &str, condition: impl Fn(&str) -> bool) -> String {
        self.wait_text_for(css, 10, condition).await
    }

    /// [`wait_text`](Self::wait_text) with a longer patience, in seconds.
    pub async fn wait_text_for(&self, css: &str, seconds: u64, condition: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        for _ in 0..seconds * 10 {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if condition(&text) {
                    return text;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("text of {css} never matched; last: {last:?}");
    }

    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.expect("script")
    }

    /// Saves a screenshot to `$KEFU_SCREENSHOTS/<name>.png` when that variable is set.
    pub async fn screenshot(&self, name: &str) {
        if let Some(dir) = std::env::var_os("KEFU_SCREENSHOTS") {
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::create_dir_all(&dir).expect("screenshot dir");
            std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).expect("write screenshot");
        }
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
