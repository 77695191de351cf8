//! Every request body of `nnlab serve`, fuzzed through the router itself (in-process, as
//! tests/api.rs drives it): `POST /api/sessions` (the JSON of the page's settings and its CSV
//! upload: `settings::merge`, `tidy`, `read_upload`, the data, the engine), `POST .../lr`,
//! `POST .../step` and the query of `GET .../backprop`. Every input must get a success or a 4xx
//! with a JSON `{"error": "..."}` — no panic, no 5xx, no allocation over the test's bound, no hang.
//!
//! [`serve`] is the harness: the first byte picks the request — `c` a new session with the rest
//! as its body, `u` a new session with the rest as its CSV upload, `l` a learning rate, `s` a
//! step, `b` a backprop query, on one session kept for the purpose — the rest is the body. This
//! file's tests feed it mutated seeds (`fuzz/seeds/serve/`): a few hundred in `cargo test`,
//! 100,000 (or `NNLAB_FUZZ_RUNS`) with `--ignored`; `fuzz/fuzz_targets/serve.rs` includes this
//! file for libFuzzer (FUZZING.md).

use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use nnlab_serve::{AppState, Limits};
use serde_json::{json, Value};
use tower::ServiceExt;

const HOST: &str = "127.0.0.1:8080";

struct Harness {
    runtime: tokio::runtime::Runtime,
    app: Router,
    /// The session that the commands go to (made again if it was freed).
    session: Mutex<Option<String>>,
}

/// The limits of the fuzzed server: the playground's, with fewer rows and epochs so that each
/// request stays fast (the sessions' training threads run beside the fuzzer).
pub fn limits() -> Limits {
    Limits {
        max_samples: 2000,
        max_epochs: 200,
        ..Limits::default()
    }
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| Harness {
        runtime: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime"),
        app: nnlab_serve::router(Arc::new(AppState::new(limits(), vec![HOST.into()]))),
        session: Mutex::new(None),
    })
}

/// Sends one request; the status and the body.
fn send(method: &str, uri: &str, body: Vec<u8>) -> Result<(StatusCode, Vec<u8>), String> {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", HOST)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .map_err(|e| format!("not a request: {e}"))?;
    let h = harness();
    let (status, bytes) = h.runtime.block_on(async {
        let response = h.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = response.into_body().collect().await.map(|b| b.to_bytes());
        (status, bytes)
    });
    let bytes = bytes.map_err(|e| format!("the response body failed: {e}"))?;
    Ok((status, bytes.to_vec()))
}

/// `Ok` for a success, `Err(message)` for a refusal; panics on a 5xx or on a refusal that does
/// not say why in JSON.
fn outcome(method: &str, uri: &str, body: Vec<u8>) -> Result<Value, String> {
    let (status, bytes) = send(method, uri, body)?;
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !status.is_server_error(),
        "{method} {uri} -> {status}: {text}"
    );
    if status.is_success() {
        return Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null));
    }
    let error: Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{method} {uri} -> {status}, not JSON ({e}): {text}"));
    let message = error["error"].as_str().unwrap_or_default();
    assert!(
        !message.is_empty(),
        "{method} {uri} -> {status} without a message: {text}"
    );
    Err(format!("{status}: {message}"))
}

/// A new session from `body`, closed again at once.
fn create(body: Vec<u8>) -> Result<(), String> {
    let info = outcome("POST", "/api/sessions", body)?;
    let id = info["id"].as_str().expect("a new session has an id");
    outcome("DELETE", &format!("/api/sessions/{id}"), Vec::new()).map(|_| ())
}

/// The commands' session: a small one, made once (and again if the server freed it).
fn session() -> String {
    let mut session = harness().session.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(id) = session.as_ref() {
        if send("GET", &format!("/api/sessions/{id}"), Vec::new())
            .is_ok_and(|(status, _)| status.is_success())
        {
            return id.clone();
        }
    }
    let body = json!({"config": {"samples": 40, "hidden": [3, 2], "epochs": 5}});
    let info = outcome("POST", "/api/sessions", body.to_string().into_bytes())
        .expect("the commands' session");
    let id = info["id"].as_str().expect("an id").to_string();
    *session = Some(id.clone());
    id
}

/// `%` and the bytes a URI cannot hold percent-encoded; the rest as they are.
fn query(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'&' | b'=' | b'-' | b'.' | b'_' | b'%' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One request made from `bytes` (see the module docs).
pub fn serve(bytes: &[u8]) -> Result<(), String> {
    let Some((&pick, rest)) = bytes.split_first() else {
        return Err("empty".into());
    };
    let route = match pick {
        b'c' | b'u' | b'l' | b's' | b'b' => pick,
        other => b"culsb"[usize::from(other) % 5],
    };
    match route {
        b'c' => create(rest.to_vec()),
        b'u' => {
            let body = json!({
                "config": {"hidden": [4], "epochs": 5},
                "csv": String::from_utf8_lossy(rest),
            });
            create(body.to_string().into_bytes())
        }
        b'l' | b's' => {
            let id = session();
            let command = if route == b'l' { "lr" } else { "step" };
            let uri = format!("/api/sessions/{id}/{command}");
            let result = outcome("POST", &uri, rest.to_vec()).map(|_| ());
            if result.as_ref().is_err_and(|e| e.starts_with("409")) {
                // the session ran its epochs or diverged: back to epoch 0 for the next input
                outcome("POST", &format!("/api/sessions/{id}/reset"), Vec::new())?;
            }
            result
        }
        _ => {
            let id = session();
            let uri = format!("/api/sessions/{id}/backprop?{}", query(rest));
            outcome("GET", &uri, Vec::new()).map(|_| ())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use nnlab_fixtures::fuzz::{exercise, runs_from_env, seeds, CappedAlloc, Report};

    /// No request may ask for more than this in one allocation (libFuzzer's -malloc_limit_mb too).
    #[global_allocator]
    static ALLOC: CappedAlloc = CappedAlloc { limit: 256 << 20 };

    const WORDS: &[&str] = &[
        "\"config\"",
        "\"csv\"",
        "\"samples\"",
        "\"dataset\"",
        "\"blobs\"",
        "\"spiral\"",
        "\"multi-gauss\"",
        "\"centers\"",
        "\"classes\"",
        "\"features\"",
        "\"hidden\"",
        "\"inputs\"",
        "\"x0^2\"",
        "\"sin(x1)\"",
        "\"task\"",
        "\"regression\"",
        "\"multiclass\"",
        "\"optimizer\"",
        "\"adam\"",
        "\"engine\"",
        "\"autograd\"",
        "\"dtype\"",
        "\"f32\"",
        "\"init\"",
        "\"torch\"",
        "\"batch_size\"",
        "\"test_size\"",
        "\"epochs\"",
        "\"lr\"",
        "layer=",
        "unit=",
        "&",
        "label",
        "split",
    ];

    const SLOWEST: Duration = Duration::from_secs(10);

    fn check(report: Report) {
        eprintln!("serve: {report}");
        assert!(
            report.slowest.0 < SLOWEST,
            "an input took {:.2?}: b\"{}\"",
            report.slowest.0,
            report.slowest.1.escape_ascii()
        );
    }

    // Found by fuzzing the CSV reader (issue 13): one upload with a class label past the row
    // count made the server count classes up to it, and abort; it is a 400 now.
    #[test]
    fn an_upload_with_a_huge_class_label_is_refused_not_counted_up_to() {
        let upload = b"ux0,x1,label\n0.5,1,0\n0.1,2,9007199254740993\n0.2,3,1\n0.3,4,0\n";
        let error = super::serve(upload).unwrap_err();
        assert!(error.starts_with("400"), "{error}");
        assert!(error.contains("9007199254740993"), "{error}");
    }

    #[test]
    fn fuzz_smoke_serve() {
        check(exercise(
            "serve",
            &seeds("serve"),
            WORDS,
            2000,
            1,
            super::serve,
        ));
    }

    /// The volume check without nightly: `cargo test --release -p nnlab-serve --test fuzz_smoke
    /// -- --ignored` (`NNLAB_FUZZ_RUNS` inputs, 100,000 by default).
    #[test]
    #[ignore = "100,000 inputs; run with --release -- --ignored"]
    fn fuzz_volume_serve() {
        let runs = runs_from_env(100_000);
        check(exercise(
            "serve",
            &seeds("serve"),
            WORDS,
            runs,
            0x006e_6e6c_6162,
            super::serve,
        ));
    }
}
