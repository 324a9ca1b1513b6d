"""nginx configuration for the lab's web sites: one TLS personality per address."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from scanner.lab import pki
from scanner.lab.providers import LabProvider, WebSite


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _server_blocks(site: WebSite, cert: pki.IssuedCert, extra: list[str]) -> str:
    names = " ".join(site.names)
    listens_tls = [f"{site.address}:{port} ssl" for port in site.tls_ports]
    listens_tls += [f"[::1]:{port} ssl" for port in site.tls_ports] if site.ipv6 else []
    listens_plain = [f"{site.address}:80"] + (["[::1]:80"] if site.ipv6 else [])
    headers = "\n".join(
        f"        add_header {name} {_quote(value)} always;" for name, value in site.headers
    )
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=180)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    files = "\n".join(
        f"        location = {path} {{\n            default_type text/plain;\n"
        f"            return 200 {_quote(body.replace('{expires}', expires))};\n        }}"
        for path, body in site.files
    )
    index = (
        f"            default_type text/html;\n            return 200 {_quote(site.index_html)};"
        if site.index_html
        else f'            return 200 "{names}\\n";'
    )
    if site.redirect_http:
        plain_body = "        return 301 https://$host$request_uri;"
    elif site.http_index_html:
        plain_body = (
            f"        default_type text/html;\n        return 200 {_quote(site.http_index_html)};"
        )
    else:
        plain_body = '        return 200 "plain http\\n";'
    unknown = (
        f"""
    server {{
{chr(10).join(f"        listen {listen} default_server;" for listen in listens_plain)}
        default_type text/html;
        return 404 {_quote(site.unknown_host_page)};
    }}
"""
        if site.unknown_host_page
        else ""
    )
    return f"""{unknown}
    server {{
{chr(10).join(f"        listen {listen};" for listen in listens_plain)}
        server_name {names};
{plain_body}
    }}

    server {{
{chr(10).join(f"        listen {listen};" for listen in listens_tls)}
        server_name {names};
        ssl_certificate {cert.cert};
        ssl_certificate_key {cert.key};
        ssl_protocols {site.tls_protocols};
        ssl_ciphers {_quote(site.tls_ciphers)};
        ssl_prefer_server_ciphers on;
        ssl_ecdh_curve {site.ecdh_curves};
{chr(10).join(f"        {line}" for line in extra)}
{headers}
{files}
        location = / {{
{index}
        }}
        location / {{
            return 404;
        }}
    }}
"""


def write(
    directory: Path,
    ca_dir: Path,
    providers: tuple[LabProvider, ...],
    worker_connections: int = 256,
    publish_issuer: bool = True,
) -> Path:
    """``publish_issuer``: serve the CA's AIA URL (the main lab does; the scale lab,
    running beside it, must not bind the same address)."""
    for sub in ("certs", "temp", "logs"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    pki.ensure_ca(ca_dir)
    # The CA's own publication point: the issuing certificate at its AIA URL.
    blocks = (
        [
            f"""
    server {{
        listen {pki.ISSUER_ADDRESS}:80;
        location = /issuing.der {{
            default_type application/pkix-cert;
            alias {ca_dir / "issuing.der"};
        }}
        location / {{
            return 404;
        }}
    }}
"""
        ]
        if publish_issuer
        else []
    )
    for provider in providers:
        for index, site in enumerate(provider.sites):
            stem = f"{provider.key}-{index}"
            cert = pki.issue(ca_dir, directory / "certs", stem, site.cert)
            extra = []
            if site.staple_ocsp:
                staple = pki.ocsp_response(ca_dir, cert.leaf, directory / "certs" / f"{stem}.ocsp")
                extra += ["ssl_stapling on;", f"ssl_stapling_file {staple};"]
            if site.dhparam_bits:
                params = pki.ensure_dhparams(
                    ca_dir / f"dh{site.dhparam_bits}.pem", site.dhparam_bits
                )
                extra.append(f"ssl_dhparam {params};")
            if site.early_data:
                extra.append("ssl_early_data on;")
            blocks.append(_server_blocks(site, cert, extra))
    # As root, nginx would switch its workers to "nobody"; the lab keeps them
    # as the invoking user so they can read the lab's own files.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = directory / "temp"
    conf = directory / "nginx.conf"
    conf.write_text(
        f"""{user}daemon off;
worker_processes auto;
pid {directory}/nginx.pid;
error_log {directory}/logs/error.log warn;

events {{
    worker_connections {worker_connections};
}}

http {{
    access_log {directory}/logs/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    default_type text/plain;
    server_tokens off;
{"".join(blocks)}
}}
""",
        "utf-8",
    )
    return conf
