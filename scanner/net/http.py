"""The requests adapter: HTTP(S) to an address the scan's resolver chose, with the
Host header and SNI set to the name, certificate checks against that name, a
timeout on every phase and a cap on the body. Redirects are never followed here;
callers decide (and check the address policy) hop by hop."""

from __future__ import annotations

import ipaddress
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter

# Unverified requests are deliberate (see HttpClient.get); the warning would only add noise.
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

MAX_BODY = 1024 * 1024
USER_AGENT = "vetscan (provider security posture scan; https://vetscan.invalid)"


@dataclass(frozen=True)
class HttpResponse:
    url: str
    status: int | None  # None when no response arrived
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    truncated: bool = False
    error: str = ""  # one line: why there is no response
    tls_error: bool = False  # the certificate did not validate

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


class _PinnedAdapter(HTTPAdapter):
    """Connects wherever the URL says (an address) but speaks TLS for ``host``.

    Unverified, it also accepts old protocols and suites: it is then only reading
    headers from a server whose TLS the TLS probe judges on its own.
    """

    def __init__(self, host: str, verify: bool, **kwargs: Any) -> None:
        self._host = host
        self._verify = verify
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["server_hostname"] = self._host
        if self._verify:
            kwargs["assert_hostname"] = self._host
        else:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            context.set_ciphers("ALL:@SECLEVEL=0")
            kwargs["ssl_context"] = context
        super().init_poolmanager(*args, **kwargs)


class HttpClient:
    def __init__(self, ca_file: Path | None = None, timeout: float = 5.0, max_body: int = MAX_BODY):
        self.verify: str | bool = str(ca_file) if ca_file else True
        self.timeout = timeout
        self.max_body = max_body

    def get(
        self,
        host: str,
        address: str,
        path: str = "/",
        scheme: str = "https",
        port: int | None = None,
        verify: bool = True,
    ) -> HttpResponse:
        """One request, no redirects. ``verify=False`` reads a site whose certificate
        is broken (the TLS probe judges certificates; headers are still worth reading)."""
        port = port or (443 if scheme == "https" else 80)
        literal = f"[{address}]" if ipaddress.ip_address(address).version == 6 else address
        url = f"{scheme}://{literal}:{port}{path}"
        shown = f"{scheme}://{host}{'' if port in (80, 443) else f':{port}'}{path}"
        session = requests.Session()
        session.trust_env = False  # no proxies or netrc from the environment
        session.mount(f"{scheme}://", _PinnedAdapter(host, verify, max_retries=0))
        headers = {
            "Host": host if port in (80, 443) else f"{host}:{port}",
            "User-Agent": USER_AGENT,
        }
        started = time.monotonic()
        try:
            with session.get(
                url,
                headers=headers,
                timeout=(self.timeout, self.timeout),
                allow_redirects=False,
                verify=self.verify if verify else False,
                stream=True,
            ) as response:
                body, truncated = self._read(response, started)
                return HttpResponse(
                    shown,
                    response.status_code,
                    tuple((k, v) for k, v in response.headers.items()),
                    body,
                    truncated,
                )
        except requests.exceptions.SSLError as exc:
            return HttpResponse(shown, None, error=f"TLS error: {_short(exc)}", tls_error=True)
        except requests.exceptions.Timeout:
            return HttpResponse(shown, None, error=f"no response within {self.timeout:g} s")
        except _TooSlow as exc:
            return HttpResponse(shown, None, error=str(exc))
        except requests.exceptions.RequestException as exc:
            return HttpResponse(shown, None, error=_short(exc))
        finally:
            session.close()

    def _read(self, response: requests.Response, started: float) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        while True:
            # read1 returns what has arrived instead of waiting for a full chunk, so
            # the deadline below is checked even when a server drips bytes.
            chunk = response.raw.read1(16384, decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_body:
                return b"".join(chunks)[: self.max_body], True
            # A server that drips a byte at a time never trips the read timeout.
            if time.monotonic() - started > 3 * self.timeout:
                raise _TooSlow(f"the body did not arrive within {3 * self.timeout:g} s")
        return b"".join(chunks), False


class _TooSlow(Exception):
    pass


def _short(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ")
    return text[:240]
