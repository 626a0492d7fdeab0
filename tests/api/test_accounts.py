"""/api/accounts: keys checked by the real SDK against the emulator, stored encrypted, never returned, owner-scoped."""

from __future__ import annotations

import psycopg

from tests.api.conftest import ClientFactory, sign_in
from tests.emulators.outscale import OutscaleEmulator

OTHER = ("AKIAOTHERACCOUNT0001", "other-account-secret-00000000000000001", "111122223333")


async def test_accounts_are_checked_stored_encrypted_and_only_their_owner_sees_them(
    api_client_for: ClientFactory, migrated_dsn: str, outscale: OutscaleEmulator
) -> None:
    outscale.add_account(*OTHER)
    async with api_client_for(migrated_dsn, None, outscale_endpoint=outscale.endpoint) as client:
        client.headers["X-CSRF-Token"] = await sign_in(client, outscale.access_key, outscale.secret_key)
        added = await client.post(
            "/api/accounts",
            json={"name": "prod", "regions": ["eu-west-2"], "access_key": OTHER[0], "secret_key": OTHER[1]},
        )
        again = await client.post(
            "/api/accounts",
            json={"name": "prod", "regions": ["eu-west-2"], "access_key": OTHER[0], "secret_key": OTHER[1]},
        )
        refused = await client.post(
            "/api/accounts",
            json={"name": "typo", "regions": ["eu-west-2"], "access_key": OTHER[0], "secret_key": "wrong"},
        )
        bad_region = await client.post(
            "/api/accounts",
            json={"name": "x", "regions": ["eu-west-9"], "access_key": OTHER[0], "secret_key": OTHER[1]},
        )
        oci_claim = await client.post(
            "/api/accounts",
            json={"name": "someone's tenancy", "regions": ["eu-paris-1"], "provider": "oci",
                  "account_id": "ocid1.tenancy.oc1..aaaaexample"},
        )  # fmt: skip
        listed = await client.get("/api/accounts")

    assert added.status_code == 201, added.text
    account = added.json()["data"]
    assert (account["account_id"], account["credentials"]) == (OTHER[2], "encrypted keys")
    assert again.status_code == 409
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "secret_key"
    assert bad_region.status_code == 422 and bad_region.json()["error"]["details"][0]["field"] == "regions"
    assert oci_claim.status_code == 422  # an OCID proves nothing: OCI tenancies are an operator's to add
    assert [a["account_id"] for a in listed.json()["data"]] == [OTHER[2]]
    for answer in (added, again, refused, listed):
        assert OTHER[1] not in answer.text and OTHER[0] not in answer.text
    with psycopg.connect(migrated_dsn) as conn:
        stored = conn.execute("SELECT owner, access_key_encrypted, secret_key_encrypted FROM cloud_accounts").fetchall()
    assert len(stored) == 1 and stored[0][0] == outscale.account_id
    assert OTHER[1].encode() not in bytes(stored[0][2]) and OTHER[0].encode() not in bytes(stored[0][1])

    async with api_client_for(migrated_dsn, None, outscale_endpoint=outscale.endpoint) as intruder:
        intruder.headers["X-CSRF-Token"] = await sign_in(intruder, OTHER[0], OTHER[1])
        theirs = await intruder.get("/api/accounts")
        taken = await intruder.delete(f"/api/accounts/{account['id']}")
    assert theirs.json()["data"] == []  # the account's own keys do not make its registration theirs
    assert taken.status_code == 404

    async with api_client_for(migrated_dsn, None, outscale_endpoint=outscale.endpoint) as owner:
        owner.headers["X-CSRF-Token"] = await sign_in(owner, outscale.access_key, outscale.secret_key)
        removed = await owner.delete(f"/api/accounts/{account['id']}")
        after = await owner.get("/api/accounts")
    assert removed.status_code == 200
    assert after.json()["data"] == []
