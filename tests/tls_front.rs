//! An HTTPS front for the tests' plain OTLP receivers, on 127.0.0.1: TLS with a CA and
//! certificates made for the run ([`Pki`], by rcgen), a client certificate required or not
//! (mTLS), each decrypted connection forwarded to a plain listener (the OTLP/HTTP receiver, or a
//! collector's gRPC port).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// A CA made for the run, a server certificate it signed for `127.0.0.1` and `localhost`, and a
/// client certificate it signed, all as PEM files in a directory of their own.
pub struct Pki {
    ca: CertificateDer<'static>,
    server: CertificateDer<'static>,
    server_key: PrivatePkcs8KeyDer<'static>,
    /// The CA certificate's PEM file.
    pub ca_pem: std::path::PathBuf,
    /// The client certificate's PEM file.
    pub client_cert_pem: std::path::PathBuf,
    /// The client key's PEM file.
    pub client_key_pem: std::path::PathBuf,
}

impl Pki {
    /// Makes the CA (named after `dir`) and its certificates, writing the PEM files under `dir`.
    pub fn new(dir: &Path) -> Self {
        std::fs::create_dir_all(dir).expect("create the PKI directory");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params
            .distinguished_name
            .push(DnType::CommonName, format!("test CA {}", dir.display()));
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().expect("CA key"))
            .expect("self-sign the CA");
        let leaf = |names: &[&str], usage| {
            let key = KeyPair::generate().expect("leaf key");
            let mut params =
                CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                    .expect("leaf params");
            params.extended_key_usages = vec![usage];
            let cert = params.signed_by(&key, &ca).expect("sign the leaf");
            (cert, key)
        };
        let (server, server_key) = leaf(
            &["127.0.0.1", "localhost"],
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let (client, client_key) = leaf(&["agent"], ExtendedKeyUsagePurpose::ClientAuth);
        let write = |name: &str, pem: String| {
            let path = dir.join(name);
            std::fs::write(&path, pem).expect("write a PEM file");
            path
        };
        Self {
            ca: ca.der().clone(),
            server: server.der().clone(),
            server_key: PrivatePkcs8KeyDer::from(server_key.serialize_der()),
            ca_pem: write("ca.pem", ca.pem()),
            client_cert_pem: write("client.pem", client.pem()),
            client_key_pem: write("client-key.pem", client_key.serialize_pem()),
        }
    }
}

/// The running front; stopped on drop.
pub struct TlsFront {
    addr: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
}

impl TlsFront {
    /// Serves TLS with `pki`'s server certificate on 127.0.0.1, offering the ALPN protocols
    /// `alpn` (`http/1.1` before an HTTP/1 receiver, `h2` before gRPC), requiring a client
    /// certificate signed by `pki`'s CA when `mtls`, and forwards every connection to `backend`.
    pub fn start(pki: &Pki, backend: SocketAddr, alpn: &[&str], mtls: bool) -> Self {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("TLS versions");
        let builder = if mtls {
            let mut roots = RootCertStore::empty();
            roots.add(pki.ca.clone()).expect("the CA as a root");
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let mut config = builder
            .with_single_cert(
                vec![pki.server.clone()],
                PrivateKeyDer::Pkcs8(pki.server_key.clone_key()),
            )
            .expect("server certificate");
        config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("address");
        runtime.spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A refused handshake (wrong CA, no client certificate) just ends here.
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
        Self {
            addr,
            runtime: Some(runtime),
        }
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
