"""ilert's REST API as the connector uses it: an integration key, acting on behalf of people."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

Json = dict[str, Any]

# ilert answers at most 50 alert sources or escalation policies a page (`max-results`).
PAGE_SIZE = 50
# A bound on the pages read, so an API that never answers a short page cannot loop forever.
MAX_PAGES = 200


class IlertApiError(Exception):
    """ilert refused or failed a request; `message` is ilert's own explanation."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"ilert answered {status}: {message}")
        self.status = status
        self.message = message

    @property
    def is_forbidden(self) -> bool:
        return self.status == 403


class IlertClient:
    """One account's view of ilert through the connector's integration key.

    `on_behalf_of` makes ilert apply that user's role and team privacy and record the action as
    theirs, so the connector can never do for a person what ilert would not let them do.
    """

    def __init__(
        self,
        base_url: str,
        integration_key: str,
        *,
        timeout: float = 5.0,
        session: requests.Session | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._key = integration_key
        self._timeout = timeout
        self._http = session or requests.Session()

    def _call(
        self,
        method: str,
        path: str,
        *,
        on_behalf_of: int | None = None,
        json: Any = None,
        params: Any = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {self._key}", "Accept": "application/json"}
        if on_behalf_of is not None:
            headers["X-On-Behalf-Of"] = str(on_behalf_of)
        response = self._http.request(
            method,
            f"{self._base}/api{path}",
            headers=headers,
            json=json,
            params=params,
            timeout=self._timeout,
        )
        if response.status_code >= 400:
            raise IlertApiError(response.status_code, _error_message(response))
        return response.json() if response.content else None

    def find_user_by_email(self, email: str) -> Json | None:
        try:
            return self._call("POST", "/users/search-email", json={"email": email})
        except IlertApiError as error:
            if error.status == 404:
                return None
            raise

    def _all_pages(self, path: str, *, on_behalf_of: int | None) -> list[Json]:
        """Every item of a paged list: ilert pages with `start-index` and `max-results`, and a
        page shorter than asked for is the last."""
        items: list[Json] = []
        for _ in range(MAX_PAGES):
            page = self._call(
                "GET",
                path,
                on_behalf_of=on_behalf_of,
                params={"start-index": len(items), "max-results": PAGE_SIZE},
            )
            items.extend(page)
            if len(page) < PAGE_SIZE:
                break
        return items

    def alert_sources(self, *, on_behalf_of: int | None) -> list[Json]:
        """All the alert sources the person may see (the connector's own view without one)."""
        return self._all_pages("/alert-sources", on_behalf_of=on_behalf_of)

    def alert_source(self, source_id: int, *, on_behalf_of: int | None) -> Json:
        return self._call("GET", f"/alert-sources/{source_id}", on_behalf_of=on_behalf_of)

    def alert_actions(self, *, connector_id: str, on_behalf_of: int | None = None) -> list[Json]:
        return self._call(
            "GET", "/alert-actions", params={"connector": connector_id}, on_behalf_of=on_behalf_of
        )

    def create_alert_action(self, body: Json, *, on_behalf_of: int) -> Json:
        return self._call("POST", "/alert-actions", json=body, on_behalf_of=on_behalf_of)

    def remove_alert_action_source(
        self, action_id: str, source_id: int, *, on_behalf_of: int
    ) -> Json:
        return self._call(
            "PUT",
            f"/alert-actions/{action_id}/remove-source",
            json={"id": source_id},
            on_behalf_of=on_behalf_of,
        )

    def delete_alert_action(self, action_id: str, *, on_behalf_of: int) -> None:
        self._call("DELETE", f"/alert-actions/{action_id}", on_behalf_of=on_behalf_of)

    def escalation_policies(self, *, on_behalf_of: int) -> list[Json]:
        return self._all_pages("/escalation-policies", on_behalf_of=on_behalf_of)

    def create_alert(self, body: Json, *, on_behalf_of: int) -> Json:
        return self._call("POST", "/alerts", json=body, on_behalf_of=on_behalf_of)

    def accept_alert(self, alert_id: int, *, on_behalf_of: int) -> Json:
        return self._call("PUT", f"/alerts/{alert_id}/accept", on_behalf_of=on_behalf_of)

    def resolve_alert(self, alert_id: int, *, on_behalf_of: int) -> Json:
        return self._call("PUT", f"/alerts/{alert_id}/resolve", on_behalf_of=on_behalf_of)

    def alert(self, alert_id: int) -> Json:
        return self._call("GET", f"/alerts/{alert_id}")

    def connector(self, connector_id: str) -> Json:
        return self._call("GET", f"/connectors/{connector_id}")

    def report_channel(self, connector_id: str, channel_id: str, channel: Json) -> list[Json]:
        """Tell ilert what Slack said of a channel (docs/contract.md, point 6)."""
        path = f"/connectors/{quote(connector_id, safe='')}/slack-channels/"
        return self._call("PUT", path + quote(channel_id, safe=""), json=channel)

    def delete_connector(self, connector_id: str) -> None:
        """Unlink the workspace: the app was removed from it (docs/contract.md, point 6)."""
        self._call("DELETE", f"/connectors/{connector_id}")


def register_installation(base_url: str, body: Json, *, timeout: float = 5.0) -> Json:
    """Redeem an install ticket: ilert checks it once more and answers with the integration key."""
    response = requests.post(
        f"{base_url.rstrip('/')}/api/connectors/slack/installations", json=body, timeout=timeout
    )
    if response.status_code >= 400:
        raise IlertApiError(response.status_code, _error_message(response))
    return response.json()


def _error_message(response: requests.Response) -> str:
    try:
        return str(response.json().get("message") or response.text)
    except ValueError:
        return response.text or response.reason
