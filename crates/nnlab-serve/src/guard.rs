//! Only this server's own pages may talk to it: a request whose `Host` is not the server's
//! address (a DNS-rebinding attack) or whose `Origin` is another site's (a cross-site request
//! from a page elsewhere) is refused with 403 before any handler runs.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::Shared;
use crate::error::ApiError;

/// Checks `Host` and, when present, `Origin`.
pub async fn same_site(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let any_host = app.allowed_hosts.is_empty(); // bound to every address: --host 0.0.0.0
    if !any_host && !app.allowed_hosts.iter().any(|allowed| allowed == host) {
        return ApiError::forbidden(format!(
            "Host {host:?} is not this server's address ({}): open the page at the address nnlab serve printed",
            app.allowed_hosts.first().map_or("", String::as_str)
        ))
        .into_response();
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let own = origin.strip_prefix("http://").is_some_and(|rest| {
            rest == host && (any_host || app.allowed_hosts.iter().any(|allowed| allowed == rest))
        });
        if !own {
            return ApiError::forbidden(format!(
                "requests from {origin:?} are refused: only the playground's own page may use this server"
            ))
            .into_response();
        }
    }
    next.run(request).await
}

/// The `Host` values of a server listening on `address`: the address itself and, on a loopback
/// address, `localhost` and the other loopback spelling. None (any host) for an unspecified
/// address such as 0.0.0.0, which every name of the machine reaches.
pub fn hosts_for(address: std::net::SocketAddr) -> Vec<String> {
    let port = address.port();
    if address.ip().is_unspecified() {
        return Vec::new();
    }
    let mut hosts = vec![match address {
        std::net::SocketAddr::V4(a) => format!("{}:{port}", a.ip()),
        std::net::SocketAddr::V6(a) => format!("[{}]:{port}", a.ip()),
    }];
    if address.ip().is_loopback() {
        for name in ["localhost", "127.0.0.1", "[::1]"] {
            let host = format!("{name}:{port}");
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
    }
    if port == 80 {
        // browsers leave the default port out of Host
        let bare: Vec<String> = hosts
            .iter()
            .filter_map(|h| h.strip_suffix(":80").map(str::to_string))
            .collect();
        hosts.extend(bare);
    }
    hosts
}
