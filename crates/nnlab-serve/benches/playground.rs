//! The playground's speed (issue 12's goals), on this machine:
//!
//! - epochs per second of the default 2-8-1 net on the notebook's 800 training rows: the engine
//!   alone (no server), a playing session with no page attached, and one streaming to a client
//!   that reads every frame (the frames' rate, their size, and the bytes of the 100 × 100 map);
//! - the page's assets in bytes;
//! - the page's first paint in headless Chromium (when chromedriver is on PATH).
//!
//! `cargo bench -p nnlab-serve --bench playground` prints medians of 5 rounds of 2 s each.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ROUNDS: usize = 5;
const SECONDS: f64 = 2.0;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// One HTTP/1.1 request on a fresh connection; returns the body.
async fn http(address: &str, method: &str, path: &str, body: Option<&Value>) -> Value {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let json = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(json).unwrap_or(Value::Null)
}

/// The default net's session (the notebook's settings, trained until paused).
async fn new_session(address: &str) -> String {
    let config = json!({"config": {"epochs": 1_000_000}});
    let info = http(address, "POST", "/api/sessions", Some(&config)).await;
    info["id"].as_str().expect("a session").to_string()
}

/// Epochs per second of a playing session nobody watches.
async fn unwatched(address: &str) -> f64 {
    let id = new_session(address).await;
    http(address, "POST", &format!("/api/sessions/{id}/play"), None).await;
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(SECONDS)).await;
    let paused = http(address, "POST", &format!("/api/sessions/{id}/pause"), None).await;
    let rate = paused["epoch"].as_f64().unwrap() / started.elapsed().as_secs_f64();
    http(address, "DELETE", &format!("/api/sessions/{id}"), None).await;
    rate
}

/// What a client reading the stream saw.
struct Watched {
    epochs_per_second: f64,
    frames_per_second: f64,
    frame_bytes: f64,
    map_bytes: f64,
    neuron_map_bytes: f64,
    records_per_second: f64,
}

async fn watched(address: &str) -> Watched {
    let id = new_session(address).await;
    let mut stream = TcpStream::connect(address).await.unwrap();
    let request = format!("GET /api/sessions/{id}/events HTTP/1.1\r\nHost: {address}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    http(address, "POST", &format!("/api/sessions/{id}/play"), None).await;
    let started = Instant::now();
    let (mut text, mut buffer) = (String::new(), vec![0u8; 1 << 16]);
    let (mut frames, mut bytes, mut records) = (Vec::new(), 0usize, 0usize);
    let (mut first_epoch, mut last_epoch) = (None, 0u64);
    let mut first_at = started;
    while started.elapsed().as_secs_f64() < SECONDS {
        let n = stream.read(&mut buffer).await.unwrap();
        text.push_str(&String::from_utf8_lossy(&buffer[..n]));
        while let Some(end) = text.find("\n\n") {
            let event: String = text.drain(..end + 2).collect();
            let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) else {
                continue;
            };
            let frame: Value = serde_json::from_str(data).unwrap();
            let epoch = frame["epoch"].as_u64().unwrap();
            if first_epoch.is_none() && epoch > 0 {
                first_epoch = Some(epoch);
                first_at = Instant::now();
            } else if first_epoch.is_some() {
                bytes += data.len();
                records += frame["records"].as_array().map_or(0, Vec::len);
                frames.push(frame);
            }
            last_epoch = epoch;
        }
    }
    let elapsed = first_at.elapsed().as_secs_f64();
    http(address, "DELETE", &format!("/api/sessions/{id}"), None).await;
    let with_map: Vec<&Value> = frames.iter().filter(|f| f.get("map").is_some()).collect();
    let map_bytes = with_map
        .iter()
        .map(|f| f["map"]["values"].as_str().unwrap().len() as f64)
        .sum::<f64>()
        / with_map.len().max(1) as f64;
    let neuron_map_bytes = with_map
        .iter()
        .map(|f| f["neurons"][0][0]["values"].as_str().unwrap().len() as f64)
        .sum::<f64>()
        / with_map.len().max(1) as f64;
    Watched {
        epochs_per_second: (last_epoch - first_epoch.unwrap_or(0)) as f64 / elapsed,
        frames_per_second: frames.len() as f64 / elapsed,
        frame_bytes: bytes as f64 / frames.len().max(1) as f64,
        map_bytes,
        neuron_map_bytes,
        records_per_second: records as f64 / elapsed,
    }
}

/// Epochs per second of the same run with no server: the engine and `Trainer` alone.
fn engine_alone() -> f64 {
    let mut config = nnlab_app::RunConfig {
        epochs: 1_000_000,
        threads: Some(1),
        ..nnlab_app::RunConfig::notebook()
    };
    let prepared = config.prepare().unwrap();
    let spec = config
        .model_spec(prepared.dataset.n_features(), prepared.train.task())
        .unwrap();
    let initial = nnlab_app::engines::initial_parameters(&config, &spec).unwrap();
    let mut engine = nnlab_app::engines::build_engine(&config, &spec, &initial, "bench").unwrap();
    let mut trainer = nnlab_core::Trainer::new(
        engine.as_ref(),
        &prepared.train,
        &config.train_config().unwrap(),
        nnlab_core::TrainAccuracy::AfterUpdate,
    )
    .unwrap();
    let started = Instant::now();
    let mut epochs = 0;
    while started.elapsed().as_secs_f64() < SECONDS {
        trainer.epoch(engine.as_mut(), &prepared.train).unwrap();
        epochs += 1;
    }
    epochs as f64 / started.elapsed().as_secs_f64()
}

/// The page's first contentful paint in headless Chromium, in ms (None without chromedriver).
async fn first_paint(url: &str) -> Option<Vec<f64>> {
    let on_path = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| dir.join("chromedriver").is_file())
    });
    if !on_path {
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let mut driver = std::process::Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    while std::net::TcpStream::connect(address).is_err() && started.elapsed().as_secs() < 20 {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut paints = Vec::new();
    for _ in 0..ROUNDS {
        let profile = tempfile::tempdir().ok()?;
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1000",
                format!("--user-data-dir={}", profile.path().display())]}),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = fantoccini::ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .ok()?;
        client.goto(url).await.ok()?;
        let script = "const p = performance.getEntriesByName('first-contentful-paint')[0];
            return p ? p.startTime : -1;";
        let mut paint = -1.0;
        for _ in 0..100 {
            paint = client.execute(script, vec![]).await.ok()?.as_f64()?;
            if paint >= 0.0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        paints.push(paint);
        client.close().await.ok()?;
    }
    let _ = driver.kill();
    let _ = driver.wait();
    Some(paints)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(nnlab_serve::serve(
        listener,
        nnlab_serve::Limits::default(),
        &[],
        async {
            let _ = stopped.await;
        },
    ));

    let (mut alone, mut quiet, mut streamed) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        alone.push(tokio::task::spawn_blocking(engine_alone).await.unwrap());
        quiet.push(unwatched(&address).await);
        streamed.push(watched(&address).await);
    }
    let of = |f: fn(&Watched) -> f64| median(streamed.iter().map(f).collect());
    println!("the default 2-8-1 net, 800 training rows, full batch, medians of {ROUNDS} rounds of {SECONDS} s:");
    println!(
        "  engine alone (no server)            {:>9.0} epochs/s",
        median(alone.clone())
    );
    println!(
        "  session playing, no page attached   {:>9.0} epochs/s",
        median(quiet.clone())
    );
    println!(
        "  session playing, a client streaming {:>9.0} epochs/s ({:.2}× the engine alone)",
        of(|w| w.epochs_per_second),
        of(|w| w.epochs_per_second) / median(alone)
    );
    println!(
        "  the stream: {:.1} frames/s, {:.0} records/s, {:.1} KB per frame; the 100×100 map {:.1} KB, each neuron's 50×50 map {:.1} KB (base64)",
        of(|w| w.frames_per_second),
        of(|w| w.records_per_second),
        of(|w| w.frame_bytes) / 1000.0,
        of(|w| w.map_bytes) / 1000.0,
        of(|w| w.neuron_map_bytes) / 1000.0,
    );
    let assets: usize = nnlab_serve::assets::ASSETS
        .iter()
        .map(|(_, b)| b.len())
        .sum();
    println!(
        "the page's assets: {} files, {:.1} KB in all",
        nnlab_serve::assets::ASSETS.len(),
        assets as f64 / 1000.0
    );
    match first_paint(&format!("http://{address}/")).await {
        Some(paints) => println!(
            "first contentful paint in headless Chromium: median {:.0} ms of {:?}",
            median(paints.clone()),
            paints.iter().map(|p| p.round()).collect::<Vec<_>>()
        ),
        None => println!("first paint: not measured (chromedriver is not on PATH)"),
    }
    let _ = stop.send(());
    let _ = server.await;
}
