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

/// The `Host` values of a server listening on `address`: the address itself, `names` (the
/// machine's names that `--allow-host` gives) and, on a loopback or unspecified address,
/// `localhost` and the loopback spellings. None — any host — for an unspecified address such as
/// 0.0.0.0 with no names given, which every name of the machine reaches.
pub fn hosts_for(address: std::net::SocketAddr, names: &[String]) -> Vec<String> {
    let port = address.port();
    let unspecified = address.ip().is_unspecified();
    if unspecified && names.is_empty() {
        return Vec::new();
    }
    let mut hosts = Vec::new();
    if !unspecified {
        hosts.push(match address {
            std::net::SocketAddr::V4(a) => format!("{}:{port}", a.ip()),
            std::net::SocketAddr::V6(a) => format!("[{}]:{port}", a.ip()),
        });
    }
    hosts.extend(names.iter().map(|name| format!("{name}:{port}")));
    if address.ip().is_loopback() || unspecified {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hosts_a_server_answers_to() {
        let at = |a: &str| a.parse::<std::net::SocketAddr>().unwrap();
        assert_eq!(
            hosts_for(at("127.0.0.1:8080"), &[]),
            ["127.0.0.1:8080", "localhost:8080", "[::1]:8080"]
        );
        assert!(hosts_for(at("0.0.0.0:8080"), &[]).is_empty()); // any (with a warning)
        let named = hosts_for(at("0.0.0.0:8080"), &["lab.local".into()]);
        assert_eq!(
            named,
            [
                "lab.local:8080",
                "localhost:8080",
                "127.0.0.1:8080",
                "[::1]:8080"
            ]
        );
        let on_80 = hosts_for(at("127.0.0.1:80"), &[]);
        assert!(
            on_80.contains(&"localhost".to_string()) && on_80.contains(&"127.0.0.1".to_string())
        );
    }
}
