//! The playground's API, driven in-process (the router itself, no socket): sessions, the event
//! stream, commands, downloads and refusals.
//!
//! References: the notebook's numpy section, `numpy.history` of
//! `fixtures/reference/notebook_20_epochs_runs.json` (numpy 2.4.6, scikit-learn 1.9.1), for the
//! notebook preset's epochs 0 and 10; for everything else nnlab's own `nnlab_app::run_training`,
//! which `nnlab train` runs — the playground must train bit for bit as the command line does.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use nnlab_serve::{AppState, Limits};
use serde_json::{json, Value};
use tower::ServiceExt;

const HOST: &str = "127.0.0.1:8080";

fn app() -> Router {
    app_with(Limits::default())
}

fn app_with(limits: Limits) -> Router {
    nnlab_serve::router(Arc::new(AppState::new(limits, vec![HOST.to_string()])))
}

fn request(method: &str, path: &str, body: Option<&Value>) -> Request<Body> {
    let builder = Request::builder()
        .method(method)
        .uri(path)
        .header("host", HOST);
    match body {
        Some(json) => builder
            .header("content-type", "application/json")
            .body(Body::from(json.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Vec<u8>) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, bytes.to_vec())
}

async fn call(app: &Router, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let (status, bytes) = send(app, request(method, path, body.as_ref())).await;
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json)
}

/// Makes a session and returns its description.
async fn session(app: &Router, config: Value) -> Value {
    let (status, info) = call(
        app,
        "POST",
        "/api/sessions",
        Some(json!({ "config": config })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{info}");
    info
}

/// Reads a session's stream until `done` says so (or 20 s pass), returning every frame.
async fn frames_until(app: &Router, id: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let path = format!("/api/sessions/{id}/events");
    let response = app
        .clone()
        .oneshot(request("GET", &path, None))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let (mut text, mut frames) = (String::new(), Vec::new());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done(&frames) {
        let chunk = tokio::time::timeout_at(deadline, body.frame())
            .await
            .expect("the stream went quiet before it was done")
            .expect("the stream ended")
            .unwrap();
        text.push_str(std::str::from_utf8(chunk.data_ref().unwrap()).unwrap());
        while let Some(end) = text.find("\n\n") {
            let event: String = text.drain(..end + 2).collect();
            if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                frames.push(serde_json::from_str(data).unwrap());
            }
        }
    }
    frames
}

/// Every record the frames delivered, in order (a reset frame starts over).
fn records(frames: &[Value]) -> Vec<Value> {
    let mut all = Vec::new();
    for frame in frames {
        if frame["reset"] == true {
            all.clear();
        }
        all.extend(frame["records"].as_array().unwrap().iter().cloned());
    }
    all
}

fn last_epoch(frames: &[Value]) -> u64 {
    frames.last().map_or(0, |f| f["epoch"].as_u64().unwrap())
}

/// Waits until the session reports `state` at `epoch` (through its stream).
async fn wait_for(app: &Router, id: &str, state: &str, epoch: u64) -> Vec<Value> {
    frames_until(app, id, |frames| {
        frames
            .last()
            .is_some_and(|f| f["state"] == state && f["epoch"] == epoch)
    })
    .await
}

#[tokio::test]
async fn the_notebook_preset_prints_the_notebooks_epochs() {
    let app = app();
    let (status, options) = call(&app, "GET", "/api/options", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(options["datasets"].as_array().unwrap().len(), 8);
    let info = session(&app, options["presets"]["notebook"].clone()).await;
    assert_eq!(info["network"]["widths"], json!([2, 8, 1]));
    assert_eq!(info["data"]["train"].as_array().unwrap().len(), 800);
    // the code that trains it, as run.json records it: a session trains on one thread
    let code = info["implementation"].as_str().unwrap();
    assert!(
        code.starts_with("hand-written engine, ") && code.ends_with(", f64, 1 thread"),
        "{code}"
    );
    let id = info["id"].as_str().unwrap();
    let (status, _) = call(&app, "POST", &format!("/api/sessions/{id}/play"), None).await;
    assert_eq!(status, StatusCode::OK);
    let frames = wait_for(&app, id, "done", 20).await;
    let records = records(&frames);
    assert_eq!(records.len(), 20);

    let reference = nnlab_fixtures::fixture("reference/notebook_20_epochs_runs.json");
    let numpy = &reference["numpy"]["history"];
    for epoch in [0, 10] {
        // The notebook prints `Epoch {epoch}, Loss: {loss:.4f}, Train Acc: ..., Test Acc: ...`;
        // the values behind those lines agree to numpy's rounding (1e-12).
        let record = &records[epoch];
        for (ours, theirs) in [
            ("loss", "loss"),
            ("train_accuracy", "accuracy_train"),
            ("test_accuracy", "accuracy_test"),
        ] {
            let got = record[ours].as_f64().unwrap();
            let want = numpy[theirs][epoch].as_f64().unwrap();
            assert!(
                (got - want).abs() < 1e-12,
                "epoch {epoch} {ours}: {got} vs {want}"
            );
        }
    }
    // The test loss of every epoch rides beside the records; epoch 19's is the BCE of the final
    // weights (the last frame's parameters) on the test rows, computed here by the readable net.
    let test_losses: Vec<f64> = frames
        .iter()
        .flat_map(|f| {
            f["test_losses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
        })
        .collect();
    assert_eq!(test_losses.len(), 20);
    let last_parameters = frames
        .iter()
        .rev()
        .find_map(|f| f["parameters"].as_array())
        .unwrap();
    let parameters: Vec<nnlab_core::Parameter> = last_parameters
        .iter()
        .map(|p| nnlab_core::Parameter {
            name: p["name"].as_str().unwrap().into(),
            shape: serde_json::from_value(p["shape"].clone()).unwrap(),
            values: serde_json::from_value(p["values"].clone()).unwrap(),
        })
        .collect();
    let prepared = nnlab_app::RunConfig::notebook().prepare().unwrap();
    let spec = nnlab_core::ModelSpec::default();
    let mlp = nnlab_core::Mlp::from_parameters(&spec, &parameters).unwrap();
    let outputs = mlp.outputs(prepared.train.x_test());
    let want = nnlab_core::Task::Binary.loss(outputs.view(), prepared.train.y_test().view());
    assert!(
        (test_losses[19] - want).abs() < 1e-12,
        "{} vs {want}",
        test_losses[19]
    );

    // The last frame has the maps: 100 × 100 bytes in base64 (13,336 characters), 8 + 1 neurons.
    let last = frames
        .iter()
        .rev()
        .find(|f| f.get("map").is_some())
        .unwrap();
    assert_eq!(last["map"]["values"].as_str().unwrap().len(), 13_336);
    assert_eq!(last["neurons"][0].as_array().unwrap().len(), 8);
    assert_eq!(
        last["command"],
        "nnlab train --dataset moons --noise 0.125 --epochs 20 --task binary"
    );
}

/// Trains `config` as `nnlab train` does and returns its history's records as JSON.
fn trained_by_the_cli(config: &nnlab_app::RunConfig) -> Vec<Value> {
    let mut settings = config.clone();
    let prepared = settings.prepare().unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = nnlab_app::Output {
        figures: None,
        dataset_figure: false,
        command: "test",
    };
    let finished = nnlab_app::run_training(&settings, &prepared, out.path(), &output, |_, _| {
        std::ops::ControlFlow::Continue(())
    })
    .unwrap();
    finished
        .history
        .records
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect()
}

#[tokio::test]
async fn a_learning_rate_changed_mid_run_replays_bit_for_bit() {
    let app = app();
    let config = json!({"dataset": "circles", "hidden": [6, 4], "activation": "tanh",
        "optimizer": "adam", "lr": 0.02, "batch_size": 50, "epochs": 1000});
    let info = session(&app, config).await;
    let id = info["id"].as_str().unwrap();
    let step = |n: u64| {
        let app = app.clone();
        let path = format!("/api/sessions/{id}/step");
        async move {
            let (status, _) = call(&app, "POST", &path, Some(json!({"epochs": n}))).await;
            assert_eq!(status, StatusCode::OK);
        }
    };
    step(7).await;
    wait_for(&app, id, "paused", 7).await;
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/sessions/{id}/lr"),
        Some(json!({"lr": 0.005})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    step(5).await;
    let frames = wait_for(&app, id, "paused", 12).await;
    let streamed = records(&frames);
    assert_eq!(streamed.len(), 12);
    let command = frames.last().unwrap()["command"].as_str().unwrap();
    assert!(
        command.contains("--lr 0.02") && command.contains("--lr-at 7=0.005"),
        "{command}"
    );
    assert!(command.contains("--epochs 12"), "{command}");

    // run.json's config is the command's; trained as nnlab train trains it, it gives the
    // streamed records exactly.
    let (status, bytes) = send(
        &app,
        request("GET", &format!("/api/sessions/{id}/files/run.json"), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let run: Value = serde_json::from_slice(&bytes).unwrap();
    let config: nnlab_app::RunConfig = serde_json::from_value(run["config"].clone()).unwrap();
    assert_eq!(config.train_command(), command);
    assert_eq!(trained_by_the_cli(&config), streamed);
}

#[tokio::test]
async fn pause_step_and_reset() {
    let app = app();
    let info = session(&app, json!({"epochs": 1_000_000, "hidden": [5], "lr": 0.3})).await;
    let id = info["id"].as_str().unwrap();
    let path = |action: &str| format!("/api/sessions/{id}/{action}");

    // epoch 0's parameters, from the first frame
    let first = frames_until(&app, id, |f| !f.is_empty()).await;
    let initial = first[0]["parameters"].clone();
    assert!(initial.is_array());

    call(&app, "POST", &path("step"), Some(json!({"epochs": 3}))).await;
    let stepped = records(&wait_for(&app, id, "paused", 3).await);

    // play, then pause: it stops at some epoch and stays there
    call(&app, "POST", &path("play"), None).await;
    frames_until(&app, id, |f| last_epoch(f) > 50).await;
    let (status, paused) = call(&app, "POST", &path("pause"), None).await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let settled = frames_until(&app, id, |f| !f.is_empty()).await;
    let at = last_epoch(&settled);
    assert!(at >= paused["epoch"].as_u64().unwrap());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_, again) = call(&app, "GET", &format!("/api/sessions/{id}"), None).await;
    assert_eq!(again["id"], id);
    let later = frames_until(&app, id, |f| !f.is_empty()).await;
    assert_eq!(last_epoch(&later), at, "a paused session does not train");

    // reset: epoch 0, the same initial weights, and the same epochs again
    call(&app, "POST", &path("reset"), None).await;
    let frames = wait_for(&app, id, "paused", 0).await;
    let reset = frames.last().unwrap();
    assert!(records(&frames).is_empty());
    assert_eq!(reset["parameters"], initial);
    call(&app, "POST", &path("step"), Some(json!({"epochs": 3}))).await;
    assert_eq!(records(&wait_for(&app, id, "paused", 3).await), stepped);
}

#[tokio::test]
async fn every_download_parses() {
    let app = app();
    let info = session(
        &app,
        json!({"dataset": "spiral", "classes": 3, "hidden": [8, 8], "epochs": 30}),
    )
    .await;
    let id = info["id"].as_str().unwrap();
    assert_eq!(info["task"], "multiclass");
    call(&app, "POST", &format!("/api/sessions/{id}/play"), None).await;
    wait_for(&app, id, "done", 30).await;
    let get = |name: &str| {
        let app = app.clone();
        let path = format!("/api/sessions/{id}/files/{name}");
        async move {
            let (status, bytes) = send(&app, request("GET", &path, None)).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{path}: {}",
                String::from_utf8_lossy(&bytes)
            );
            bytes
        }
    };
    let model = get("model.safetensors").await;
    let tensors = safetensors::SafeTensors::deserialize(&model).unwrap();
    assert_eq!(tensors.tensor("network.0.weight").unwrap().shape(), [8, 2]);
    assert_eq!(tensors.tensor("network.4.weight").unwrap().shape(), [3, 8]);
    let run: Value = serde_json::from_slice(&get("run.json").await).unwrap();
    assert_eq!(run["result"]["epochs_run"], 30);
    let history = String::from_utf8(get("history.csv").await).unwrap();
    assert_eq!(history.lines().count(), 31); // the header and 30 epochs
    let data = String::from_utf8(get("data.csv").await).unwrap();
    assert_eq!(data.lines().count(), 1001);
    assert!(data.starts_with("x0,x1,label,split"), "{}", &data[..40]);
    for figure in ["dataset.png", "training.png", "boundary.png"] {
        assert!(
            get(figure).await.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{figure}"
        );
    }
    let (status, body) = call(
        &app,
        "GET",
        &format!("/api/sessions/{id}/files/secret.txt"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("model.safetensors"));
}

#[tokio::test]
async fn own_data_is_read_as_data_is() {
    let app = app();
    let mut csv = String::from("x0,x1,label\n");
    for i in 0..60 {
        let t = i as f64 / 10.0;
        csv += &format!("{},{},{}\n", t.cos() * (1.0 + t), t.sin(), i % 2);
    }
    let (status, info) = call(
        &app,
        "POST",
        "/api/sessions",
        Some(json!({"config": {"hidden": [3]}, "csv": csv})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{info}");
    assert_eq!(info["data"]["train"].as_array().unwrap().len(), 48);
    assert!(info["command"]
        .as_str()
        .unwrap()
        .starts_with("nnlab train --data data.csv"));

    // a bad line is named as --data names it
    let (status, error) = call(
        &app,
        "POST",
        "/api/sessions",
        Some(json!({"config": {}, "csv": "x0,x1,label\n1,2,0\n1,oops,1\n"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = error["error"].as_str().unwrap();
    assert!(
        message.starts_with("--data (the uploaded file): ") && message.contains("line 3"),
        "{message}"
    );
}

#[tokio::test]
async fn bad_requests_get_a_reason() {
    let app = app();
    let refused = |method: &'static str,
                   path: String,
                   body: Option<Value>,
                   status: StatusCode,
                   words: &'static str| {
        let app = app.clone();
        async move {
            let (got, error) = call(&app, method, &path, body).await;
            assert_eq!(got, status, "{method} {path}: {error}");
            let message = error["error"].as_str().unwrap_or_default().to_string();
            assert!(
                message.contains(words),
                "{method} {path}: {message:?} lacks {words:?}"
            );
        }
    };
    let create = |config: Value| Some(json!({ "config": config }));
    refused(
        "POST",
        "/api/sessions".into(),
        create(json!({"noise": -1})),
        StatusCode::BAD_REQUEST,
        "--noise: -1 is not allowed",
    )
    .await;
    refused(
        "POST",
        "/api/sessions".into(),
        create(json!({"lr": 0})),
        StatusCode::BAD_REQUEST,
        "--lr 0: the learning rate must be a finite number > 0",
    )
    .await;
    refused(
        "POST",
        "/api/sessions".into(),
        create(json!({"activation": "swish"})),
        StatusCode::BAD_REQUEST,
        "--activation",
    )
    .await;
    refused(
        "POST",
        "/api/sessions".into(),
        create(json!({"hidden": [100000]})),
        StatusCode::BAD_REQUEST,
        "at most 64 per layer",
    )
    .await;
    refused(
        "POST",
        "/api/sessions".into(),
        create(json!({"data": "/etc/passwd"})),
        StatusCode::BAD_REQUEST,
        "unknown setting",
    )
    .await;
    refused(
        "POST",
        "/api/sessions".into(),
        create(json!({"samples": 1e12})),
        StatusCode::BAD_REQUEST,
        "--samples 1000000000000.0: give a whole number",
    )
    .await;
    refused(
        "POST",
        "/api/sessions/nope/play".into(),
        None,
        StatusCode::NOT_FOUND,
        "no session",
    )
    .await;

    // malformed JSON
    let bad_json = Request::builder()
        .method("POST")
        .uri("/api/sessions")
        .header("host", HOST)
        .header("content-type", "application/json")
        .body(Body::from("{\"config\": {"))
        .unwrap();
    let (status, body) = send(&app, bad_json).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&body)
    );

    let info = session(&app, json!({})).await;
    let id = info["id"].as_str().unwrap();
    refused(
        "POST",
        format!("/api/sessions/{id}/step"),
        Some(json!({"epochs": 0})),
        StatusCode::BAD_REQUEST,
        "epochs 0",
    )
    .await;
    refused(
        "POST",
        format!("/api/sessions/{id}/lr"),
        Some(json!({"lr": -2})),
        StatusCode::BAD_REQUEST,
        "--lr -2",
    )
    .await;
    refused(
        "POST",
        format!("/api/sessions/{id}/lr"),
        Some(json!({"rate": 2})),
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown field `rate`",
    )
    .await;

    // another site's page, or another host name (DNS rebinding)
    let foreign = Request::builder()
        .method("POST")
        .uri(format!("/api/sessions/{id}/play"))
        .header("host", HOST)
        .header("origin", "http://evil.example")
        .body(Body::empty())
        .unwrap();
    let (status, body) = send(&app, foreign).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let rebound = Request::builder()
        .uri("/api/options")
        .header("host", "evil.example:8080")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, rebound).await.0, StatusCode::FORBIDDEN);
    let own = Request::builder()
        .uri("/api/options")
        .header("host", HOST)
        .header("origin", format!("http://{HOST}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, own).await.0, StatusCode::OK);

    // an upload over the limit is refused whole
    let small = app_with(Limits {
        max_upload_bytes: 1000,
        ..Limits::default()
    });
    let big = "x0,x1,label\n".to_string() + &"0.5,0.5,1\n".repeat(20_000);
    let (status, _) = call(
        &small,
        "POST",
        "/api/sessions",
        Some(json!({"config": {}, "csv": big})),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn sessions_are_bounded_and_the_idle_ones_make_way() {
    let app = app_with(Limits {
        max_sessions: 2,
        ..Limits::default()
    });
    let first = session(&app, json!({"samples": 100})).await;
    let second = session(&app, json!({"samples": 100})).await;
    let third = session(&app, json!({"samples": 100})).await;
    let show = |info: &Value| format!("/api/sessions/{}", info["id"].as_str().unwrap());
    assert_eq!(
        call(&app, "GET", &show(&first), None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&app, "GET", &show(&second), None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, "GET", &show(&third), None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, "DELETE", &show(&third), None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&app, "GET", &show(&third), None).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_page_is_served() {
    let app = app();
    let (status, page) = send(&app, request("GET", "/", None)).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains("<html") || page.contains("<!DOCTYPE"),
        "{page}"
    );
    // every embedded asset is served, and the page's assets stay under 300 KB in all
    let total: usize = nnlab_serve::assets::ASSETS
        .iter()
        .map(|(_, b)| b.len())
        .sum();
    assert!(total <= 300 * 1024, "{total} bytes of assets");
    for (name, bytes) in nnlab_serve::assets::ASSETS {
        let (status, body) = send(&app, request("GET", &format!("/assets/{name}"), None)).await;
        assert_eq!(
            (status, body.len()),
            (StatusCode::OK, bytes.len()),
            "{name}"
        );
    }
}

#[tokio::test]
async fn the_backprop_view_predicts_the_next_step() {
    // Reference: plain full-batch SGD, as the notebook updates (self.W1 -= self.lr * dW1): the
    // view's W − lr·dW at epoch 0 must be the weights the engine holds after epoch 0's step, and
    // its loss epoch 0's loss (the notebook's 1.3632).
    let app = app();
    let info = session(&app, json!({})).await;
    let id = info["id"].as_str().unwrap();
    let trace = |layer: usize, unit: usize| {
        let app = app.clone();
        let path = format!("/api/sessions/{id}/backprop?layer={layer}&unit={unit}");
        async move {
            let (status, body) = call(&app, "GET", &path, None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    let hidden = trace(0, 3).await;
    let output = trace(1, 0).await;
    assert_eq!(hidden["rows"], 800);
    assert!(hidden["equations"]["dz"]
        .as_str()
        .unwrap()
        .contains("np.dot(dz2, self.W2.T)"));
    assert!(output["equations"]["dz"]
        .as_str()
        .unwrap()
        .contains("y_pred - y_true"));
    assert_eq!(output["update"]["plain_sgd"], true);

    call(&app, "POST", &format!("/api/sessions/{id}/step"), None).await;
    let frames = wait_for(&app, id, "paused", 1).await;
    let first_loss = records(&frames)[0]["loss"].as_f64().unwrap();
    assert!((hidden["loss"].as_f64().unwrap() - first_loss).abs() < 1e-12);
    // the newest parameters the stream sent (a frame that only changes the state has none)
    let parameters = frames
        .iter()
        .rev()
        .find_map(|f| f["parameters"].as_array())
        .unwrap()
        .clone();
    let weights = |name: &str, row: usize| -> Vec<f64> {
        let p = parameters.iter().find(|p| p["name"] == name).unwrap();
        let columns = p["shape"][1].as_u64().unwrap() as usize;
        p["values"].as_array().unwrap()[row * columns..(row + 1) * columns]
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    for (trace, name, unit) in [
        (&hidden, "network.0.weight", 3),
        (&output, "network.2.weight", 0),
    ] {
        let predicted = trace["update"]["w_next"].as_array().unwrap();
        let held = weights(name, unit);
        assert_eq!(predicted.len(), held.len());
        for (p, h) in predicted.iter().zip(&held) {
            assert!(
                (p.as_f64().unwrap() - h).abs() < 1e-12,
                "{name}[{unit}]: {p} vs {h}"
            );
        }
    }
    let (status, body) = call(
        &app,
        "GET",
        &format!("/api/sessions/{id}/backprop?layer=5&unit=0"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"].as_str().unwrap().contains("layers 0 to 1"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_open_streams() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A page streaming a playing session must not keep the server from stopping (Ctrl-C).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(nnlab_serve::serve(
        listener,
        Limits::default(),
        &[],
        async {
            let _ = stopped.await;
        },
    ));
    let exchange = |request: String| {
        let address = address.clone();
        async move {
            let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
            stream.write_all(request.as_bytes()).await.unwrap();
            stream
        }
    };
    let body = json!({"config": {"epochs": 1_000_000}}).to_string();
    let mut created = exchange(format!(
        "POST /api/sessions HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ))
    .await;
    let mut answer = String::new();
    created.read_to_string(&mut answer).await.unwrap();
    let info: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let id = info["id"].as_str().unwrap();
    let mut stream = exchange(format!(
        "GET /api/sessions/{id}/events HTTP/1.1\r\nHost: {address}\r\n\r\n"
    ))
    .await;
    exchange(format!("POST /api/sessions/{id}/play HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")).await;
    let mut buffer = [0u8; 4096];
    assert!(
        stream.read(&mut buffer).await.unwrap() > 0,
        "the stream sends"
    );

    stop.send(()).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(5), server).await;
    assert!(
        result.is_ok(),
        "the server stopped within 5 s with a stream open"
    );
    result.unwrap().unwrap().unwrap();
}

#[tokio::test]
async fn a_session_nobody_watches_is_paused_then_freed() {
    let state = Arc::new(AppState::new(Limits::default(), vec![HOST.to_string()]));
    let app = nnlab_serve::router(state.clone());
    let info = session(&app, json!({"epochs": 1_000_000})).await;
    let id = info["id"].as_str().unwrap();
    call(&app, "POST", &format!("/api/sessions/{id}/play"), None).await;
    frames_until(&app, id, |f| last_epoch(f) > 10).await; // a page watched, then went away
    assert_eq!(
        state.pause_unwatched(Duration::from_secs(3600)),
        0,
        "not yet"
    );
    assert_eq!(state.pause_unwatched(Duration::ZERO), 1);
    let frames = frames_until(&app, id, |f| {
        f.last().is_some_and(|f| f["state"] == "paused")
    })
    .await;
    let at = last_epoch(&frames);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        state.get(id).unwrap().status().epoch as u64,
        at,
        "it stays paused"
    );
    assert_eq!(state.free_idle(Duration::from_secs(3600)), 0);
    assert_eq!(state.free_idle(Duration::ZERO), 1);
    assert_eq!(
        call(&app, "GET", &format!("/api/sessions/{id}"), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_multiclass_outputs_a_is_its_softmax_probability() {
    // Reference: softmax's definition — each row's probabilities over the classes sum to 1.
    let app = app();
    let info = session(
        &app,
        json!({"dataset": "blobs", "centers": 3, "hidden": [4]}),
    )
    .await;
    let id = info["id"].as_str().unwrap();
    let mut sums = [0.0; 5];
    for class in 0..3 {
        let (status, trace) = call(
            &app,
            "GET",
            &format!("/api/sessions/{id}/backprop?layer=1&unit={class}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{trace}");
        assert_eq!(trace["activation"], "softmax");
        for (sum, a) in sums
            .iter_mut()
            .zip(trace["forward"]["a"]["first"].as_array().unwrap())
        {
            *sum += a.as_f64().unwrap();
        }
    }
    for sum in sums {
        assert!((sum - 1.0).abs() < 1e-12, "{sums:?}");
    }
}

#[tokio::test]
async fn the_timeline_keeps_every_epoch_then_thins_out() {
    let app = app();
    let info = session(&app, json!({"epochs": 20})).await;
    let id = info["id"].as_str().unwrap();
    call(&app, "POST", &format!("/api/sessions/{id}/play"), None).await;
    let frames = wait_for(&app, id, "done", 20).await;
    let (status, timeline) = call(&app, "GET", &format!("/api/sessions/{id}/timeline"), None).await;
    assert_eq!(status, StatusCode::OK, "{timeline}");
    let kept = timeline["frames"].as_array().unwrap();
    let epochs: Vec<u64> = kept.iter().map(|f| f["epoch"].as_u64().unwrap()).collect();
    assert_eq!(
        epochs,
        (0..=20).collect::<Vec<u64>>(),
        "every epoch of a short run"
    );
    // the last kept map is the one the stream showed at epoch 20
    let shown = frames
        .iter()
        .rev()
        .find_map(|f| f["map"]["values"].as_str())
        .unwrap();
    assert_eq!(kept[20]["map"]["values"].as_str().unwrap(), shown);

    // a long run: at most 300 maps, from epoch 0, evenly strided, up to the last epoch
    call(
        &app,
        "POST",
        &format!("/api/sessions/{id}/step"),
        Some(json!({"epochs": 1004})),
    )
    .await;
    wait_for(&app, id, "paused", 1024).await;
    let (_, timeline) = call(&app, "GET", &format!("/api/sessions/{id}/timeline"), None).await;
    let stride = timeline["stride"].as_u64().unwrap();
    let epochs: Vec<u64> = timeline["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["epoch"].as_u64().unwrap())
        .collect();
    assert!(epochs.len() <= 300, "{} maps", epochs.len());
    assert_eq!(stride, 4); // 1025 maps at stride 1 thin to 513, 257 at stride 4
    assert_eq!(epochs, (0..=1024).step_by(4).collect::<Vec<u64>>());
}

#[tokio::test]
async fn a_diverged_run_is_explained_and_its_command_diverges_alike() {
    let app = app();
    let info = session(&app, json!({"lr": 1e6, "epochs": 1000})).await;
    let id = info["id"].as_str().unwrap();
    call(&app, "POST", &format!("/api/sessions/{id}/play"), None).await;
    let frames = frames_until(&app, id, |f| {
        f.last().is_some_and(|f| f["state"] == "diverged")
    })
    .await;
    let last = frames.last().unwrap();
    let at = last["divergence"]["epoch"].as_u64().unwrap();
    let message = last["divergence"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("diverged at epoch {at}")) && message.contains("learning rate"),
        "{message}"
    );
    let (status, error) = call(&app, "POST", &format!("/api/sessions/{id}/play"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");

    // run.json's config runs through the epoch that diverged, and nnlab train stops there too
    let (_, bytes) = send(
        &app,
        request("GET", &format!("/api/sessions/{id}/files/run.json"), None),
    )
    .await;
    let run: Value = serde_json::from_slice(&bytes).unwrap();
    let config: nnlab_app::RunConfig = serde_json::from_value(run["config"].clone()).unwrap();
    assert_eq!(config.epochs as u64, at + 1);
    let mut settings = config.clone();
    let prepared = settings.prepare().unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = nnlab_app::Output {
        figures: None,
        dataset_figure: false,
        command: "test",
    };
    let finished = nnlab_app::run_training(&settings, &prepared, out.path(), &output, |_, _| {
        std::ops::ControlFlow::Continue(())
    })
    .unwrap();
    assert!(
        matches!(finished.stop, Some(nnlab_core::Stop::Diverged { epoch, .. }) if epoch as u64 == at)
    );
    assert_eq!(records(&frames).len() as u64, at);
}

#[tokio::test]
async fn sizes_that_would_exhaust_memory_are_refused() {
    let app = app();
    let many: Vec<&str> = vec!["x0"; 100_000];
    let (status, error) = call(
        &app,
        "POST",
        "/api/sessions",
        Some(json!({"config": {"inputs": many}})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("--inputs: 100000 input features"),
        "{error}"
    );
    let (status, error) = call(
        &app,
        "POST",
        "/api/sessions",
        Some(json!({"config": {"dataset": "blobs", "centers": 1000}})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let info = session(&app, json!({})).await;
    let id = info["id"].as_str().unwrap();
    let bad_step = Request::builder()
        .method("POST")
        .uri(format!("/api/sessions/{id}/step"))
        .header("host", HOST)
        .body(Body::from("{\"epochs\": -1}"))
        .unwrap();
    let (status, body) = send(&app, bad_step).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .starts_with("the request body: "),
        "{error}"
    );
}

#[test]
fn the_page_sends_only_settings_the_server_takes() {
    // assets/config.js lists what the page sends; a name the server refuses would break the page.
    let page =
        String::from_utf8(nnlab_serve::assets::asset("config.js").unwrap().to_vec()).unwrap();
    let list = page
        .split("export const FIELDS = [")
        .nth(1)
        .unwrap()
        .split("];")
        .next()
        .unwrap();
    let names: Vec<&str> = list
        .split(',')
        .map(|n| n.trim().trim_matches('\''))
        .filter(|n| !n.is_empty())
        .collect();
    assert!(names.len() > 20, "{names:?}");
    for name in names {
        assert!(
            nnlab_serve::settings::FIELDS.contains(&name),
            "the page sends {name:?}"
        );
    }
}
