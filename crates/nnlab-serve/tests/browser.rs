//! The playground in a real browser: Chromium, driven through WebDriver (chromedriver) by
//! fantoccini, against the server started here on a loopback port.
//!
//! It loads the page, chooses the notebook preset, presses play, waits for epoch 20, reads the
//! shown loss and accuracies, checks that the output map changed colour, and saves a screenshot
//! as `target/browser/playground.png`.
//!
//! Reference: the notebook's numpy section after its 20 epochs (epoch 19's line), as
//! `fixtures/reference/notebook_20_epochs_runs.json` has it (`numpy.history`): loss 0.46326 →
//! "0.4633", train accuracy 0.83875 → "0.8387" (Python's `%.4f`, as the notebook prints it), test
//! accuracy 0.84 → "0.8400".
//!
//! Needs `chromedriver` and `chromium` on PATH (Debian's chromium and chromium-driver; `.ci/run`
//! installs them). Without them a plain `cargo test` says that it skipped this test and why;
//! with NNLAB_BROWSER_TEST=required (as `.ci/run` sets it) it fails instead.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// chromedriver, ended with the test.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Starts chromedriver on a loopback port and waits until it listens.
fn start_driver() -> (Driver, u16) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    while TcpStream::connect_timeout(&address, Duration::from_millis(100)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not listen on port {port} within 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (driver, port)
}

async fn browser(driver_port: u16, profile: &std::path::Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        "--window-size=1400,1000".into(),
    ];
    args.push(format!("--user-data-dir={}", profile.display()));
    capabilities.insert("goog:chromeOptions".into(), json!({ "args": args }));
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session through chromedriver (is Debian's chromium installed?)")
}

/// Polls `read` until it gives `Some`, failing after `limit`.
async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut read: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = read().await {
            return value;
        }
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn text(client: &Client, id: &str) -> String {
    match client.find(Locator::Id(id)).await {
        Ok(element) => element.text().await.unwrap_or_default().trim().to_string(),
        Err(_) => String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notebook_preset_trains_in_chromium() {
    let required = std::env::var("NNLAB_BROWSER_TEST").is_ok_and(|v| v == "required");
    if !on_path("chromedriver") {
        assert!(
            !required,
            "NNLAB_BROWSER_TEST=required but chromedriver is not on PATH: install Debian's chromium and chromium-driver"
        );
        eprintln!(
            "skipped the_notebook_preset_trains_in_chromium: chromedriver is not on PATH \
             (install Debian's chromium and chromium-driver, as .ci/run does, to run it)"
        );
        return;
    }

    // The server, on a loopback port of its own, stopped when the test ends.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(nnlab_serve::serve(
        listener,
        nnlab_serve::Limits::default(),
        &[],
        async {
            let _ = stopped.await;
        },
    ));

    let (_driver, driver_port) = start_driver();
    let profile = tempfile::tempdir().unwrap();
    let client = browser(driver_port, profile.path()).await;
    client.goto(&url).await.unwrap();

    let preset = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("preset-notebook"))
        .await
        .expect("the page shows the notebook preset");
    preset.click().await.unwrap();
    eventually(
        "the preset's session at epoch 0",
        Duration::from_secs(10),
        || async { (text(&client, "epoch").await == "0").then_some(()) },
    )
    .await;
    // The replay panel says which code trains the session, as `nnlab train` does.
    let code = client
        .execute(
            "return document.getElementById('implementation').textContent",
            vec![],
        )
        .await
        .unwrap();
    let code = code.as_str().unwrap_or_default();
    assert!(code.starts_with("hand-written engine, "), "{code:?}");
    // The output map as the preset's initial weights draw it.
    let pixels: i64 = eventually("the output map", Duration::from_secs(10), || async {
        let script = "const c = document.getElementById('output-map');
            if (!c || !c.width) return -1;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            if (!d.some(v => v !== 0)) return -1;
            window.__before = Array.from(d); return c.width * c.height;";
        let n = client.execute(script, vec![]).await.ok()?.as_i64()?;
        (n > 0).then_some(n)
    })
    .await;

    client
        .find(Locator::Id("play"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("epoch 20", Duration::from_secs(20), || async {
        (text(&client, "epoch").await == "20").then_some(())
    })
    .await;
    // The last frame may still be on its way: wait for the numbers of epoch 19.
    let shown = eventually("epoch 19's numbers", Duration::from_secs(10), || async {
        let shown = (
            text(&client, "loss").await,
            text(&client, "train-acc").await,
            text(&client, "test-acc").await,
        );
        (shown.0 == "0.4633").then_some(shown)
    })
    .await;
    assert_eq!(shown, ("0.4633".into(), "0.8387".into(), "0.8400".into()));

    let changed = eventually("the output map to change", Duration::from_secs(10), || async {
        let script = "const c = document.getElementById('output-map');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 0; i < d.length; i += 4)
              if (d[i] !== window.__before[i] || d[i+1] !== window.__before[i+1] || d[i+2] !== window.__before[i+2]) n++;
            return n;";
        let n = client.execute(script, vec![]).await.ok()?.as_i64()?;
        (n > 0).then_some(n)
    })
    .await;
    assert!(changed > 0 && changed <= pixels);

    let log = text(&client, "notebook-log").await;
    assert!(
        log.contains("Epoch    0, Loss: 1.3632, Train Acc: 0.1800, Test Acc: 0.2050")
            && log.contains("Epoch   10, Loss: 0.5417, Train Acc: 0.6038, Test Acc: 0.6600"),
        "the notebook's lines: {log}"
    );

    let screenshot = client.screenshot().await.unwrap();
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("playground.png"), screenshot).unwrap();
    eprintln!(
        "the_notebook_preset_trains_in_chromium: {changed} of {pixels} pixels of the map changed; screenshot in {}",
        folder.join("playground.png").display()
    );

    client.close().await.unwrap();
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
