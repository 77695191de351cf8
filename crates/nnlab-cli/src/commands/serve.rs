//! `nnlab serve`: the playground's server on a port of this machine, until Ctrl-C.

use std::net::SocketAddr;

use anyhow::Context;

use crate::args::ServeArgs;
use crate::usage::usage;

pub fn run(args: &ServeArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async {
        let address = SocketAddr::new(args.host, args.port);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| {
                let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                    " (another program uses it: try --port 0 for any free port)"
                } else {
                    ""
                };
                usage(format!("--port {}: cannot listen on {address}: {e}{hint}", args.port))
            })?;
        let bound = listener.local_addr()?;
        let url = match bound {
            SocketAddr::V4(a) if a.ip().is_unspecified() => format!("http://127.0.0.1:{}/", a.port()),
            SocketAddr::V6(a) if a.ip().is_unspecified() => format!("http://[::1]:{}/", a.port()),
            _ => format!("http://{bound}/"),
        };
        if !args.host.is_loopback() && (args.allow_host.is_empty() || !args.host.is_unspecified()) {
            eprintln!(
                "warning: listening on {bound}: any machine that reaches this one can use the playground \
                 (and its CPU), and on an address such as 0.0.0.0 the server cannot tell its own name \
                 from a web page's (DNS rebinding) unless --allow-host names it. Use the default \
                 --host 127.0.0.1 to keep it to this machine."
            );
        }
        say!("nnlab playground: {url}  (Ctrl-C stops it)");
        if args.open {
            open_browser(&url);
        }
        // Ctrl-C, SIGTERM (docker, systemd) and SIGHUP (a closed terminal) all stop it cleanly.
        let shutdown = async {
            use tokio::signal::unix::{signal, SignalKind};
            let mut term = signal(SignalKind::terminate()).ok();
            let mut hangup = signal(SignalKind::hangup()).ok();
            let wait = |stream: Option<tokio::signal::unix::Signal>| async move {
                match stream {
                    Some(mut stream) => {
                        stream.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = wait(term.take()) => {}
                _ = wait(hangup.take()) => {}
            }
            eprintln!("stopping the playground");
        };
        nnlab_serve::serve(
            listener,
            nnlab_serve::Limits::default(),
            &args.allow_host,
            shutdown,
        )
            .await
            .context("serving the playground")
    })
}

/// Opens `url` in the desktop's browser, or says how to.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_err()
    {
        eprintln!("could not start {opener}: open {url} in your browser");
    }
}
