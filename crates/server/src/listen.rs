//! Serving over TCP with limits a slow or hostile client cannot exhaust: a cap on open
//! connections (the rest wait in the kernel's queue), a deadline for a request's headers, a longest
//! life for a connection (keep-alive included) and for a request.
//!
//! ```text
//! accept (at most `max` open) ─> hyper http1 (headers within `header_timeout`) ─> router
//!                                 └─ the connection closes after `lifetime`
//! ```

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Limits on connections. Settings of `jx555 serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connections {
    /// Connections open at once; more wait to be accepted.
    pub max: usize,
    /// A client must send a request's headers within this.
    pub header_timeout: Duration,
    /// A connection is closed after this, however busy (its client reconnects).
    pub lifetime: Duration,
}

impl Default for Connections {
    fn default() -> Self {
        Connections {
            max: 512,
            header_timeout: Duration::from_secs(10),
            lifetime: Duration::from_secs(300),
        }
    }
}

/// Serves `router` on `listener` until the process stops. An accept error (out of file
/// descriptors, say) is logged and retried after a pause, never the end of the server.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Connections,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max.max(1)));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return Ok(());
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!("accepting a connection failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .keep_alive(true);
            let connection = http.serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(limits.lifetime, connection).await;
            drop(slot);
        });
    }
}
