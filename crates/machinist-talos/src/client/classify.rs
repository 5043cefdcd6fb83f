//! Turning a failed gRPC call into a [`NodeError`]. In: the node, the endpoint dialled and the
//! tonic status (with its chain of sources). Out: `Tls` when rustls decided (wrong CA, name not in
//! the certificate, client certificate rejected), `Unreachable` when the connection failed (and
//! whether the request was never sent), `Timeout`, or `Refused` with the server's code and message.

use super::{ConnectError, NodeError};

pub(super) fn classify(node: &str, endpoint: &str, status: &tonic::Status) -> NodeError {
    use std::error::Error as _;
    let mut reasons = Vec::new();
    let mut tls_error: Option<String> = None;
    let mut connect_failed = false;
    let mut src: Option<&(dyn std::error::Error + 'static)> = status.source();
    while let Some(e) = src {
        if let Some(ce) = e.downcast_ref::<ConnectError>() {
            connect_failed = true;
            if let ConnectError::Tls(io) = ce {
                tls_error = tls_error.take().or_else(|| describe_tls(io));
            }
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            tls_error = tls_error.take().or_else(|| describe_tls(io));
        }
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            tls_error.get_or_insert_with(|| describe_rustls(r));
        }
        let text = e.to_string();
        if !reasons.iter().any(|r: &String| r.contains(&text)) {
            reasons.push(text);
        }
        src = e.source();
    }
    let reason = if reasons.is_empty() {
        status.message().to_owned()
    } else {
        reasons.join(": ")
    };
    if let Some(reason) = tls_error {
        return NodeError::Tls {
            node: node.into(),
            endpoint: endpoint.into(),
            reason,
        };
    }
    if reason.contains("alert") && reason.to_lowercase().contains("certificate") {
        return NodeError::Tls {
            node: node.into(),
            endpoint: endpoint.into(),
            reason: format!("{reason} (the node rejected the client certificate)"),
        };
    }
    match status.code() {
        tonic::Code::Unavailable | tonic::Code::Unknown
            if connect_failed || !reasons.is_empty() =>
        {
            NodeError::Unreachable {
                node: node.into(),
                endpoint: endpoint.into(),
                reason,
                not_sent: connect_failed,
            }
        }
        tonic::Code::DeadlineExceeded | tonic::Code::Cancelled
            if status.message().contains("imeout") =>
        {
            NodeError::Timeout {
                node: node.into(),
                endpoint: endpoint.into(),
                seconds: 0.0,
            }
        }
        code => NodeError::Refused {
            node: node.into(),
            code,
            message: status.message().to_owned(),
        },
    }
}

/// The rustls failure inside an I/O error, if any (a bare EOF or reset is not a TLS verdict).
fn describe_tls(io: &std::io::Error) -> Option<String> {
    io.get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
        .map(describe_rustls)
}

fn describe_rustls(e: &rustls::Error) -> String {
    use rustls::{CertificateError, Error};
    match e {
        Error::InvalidCertificate(CertificateError::UnknownIssuer)
        | Error::InvalidCertificate(CertificateError::BadSignature) => format!(
            "{e}: the server certificate is not signed by the cluster CA in the talosconfig (wrong cluster, or a node still in maintenance mode: use --insecure only for a first install)"
        ),
        Error::InvalidCertificate(CertificateError::NotValidForName)
        | Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. }) => format!(
            "{e}: the address is not among the server certificate's names (add it to machine.certSANs)"
        ),
        Error::AlertReceived(_) => format!("{e} (the node rejected the client certificate)"),
        _ => e.to_string(),
    }
}
