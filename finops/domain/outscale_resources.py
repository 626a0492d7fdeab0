"""Prices every live resource of an Outscale account in one region (the rules: finops.domain.outscale_pricing).

Besides osc-cost's rules: a VM whose type is unknown is kept at 0 and named, not dropped; an
account running dedicated VMs pays UseDedicated once per hour (osc-cost never emits that line);
only the account's own snapshots count (ReadSnapshots also lists snapshots shared with it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from finops.domain.outscale_catalog import HOURS_PER_MONTH, PriceList
from finops.domain.outscale_pricing import (
    BILLED_VM_STATES,
    FCU,
    BucketUsage,
    PricedResource,
    VmShape,
    aws_shape,
    price_bucket,
    price_flexible_gpu,
    price_hourly_service,
    price_public_ip,
    price_snapshot,
    price_vm,
    price_volume,
    tina_shape,
)

# (API call, answer key, whether it pages with NextPageToken)
RESOURCE_READS: tuple[tuple[str, str, bool], ...] = (
    ("ReadVms", "Vms", True),
    ("ReadVolumes", "Volumes", True),
    ("ReadSnapshots", "Snapshots", True),
    ("ReadPublicIps", "PublicIps", True),
    ("ReadNatServices", "NatServices", True),
    ("ReadLoadBalancers", "LoadBalancers", False),
    ("ReadVpnConnections", "VpnConnections", True),
    ("ReadFlexibleGpus", "FlexibleGpus", False),
)
IDS = {"NatServices": "NatServiceId", "LoadBalancers": "LoadBalancerName", "VpnConnections": "VpnConnectionId"}
SERVICE_TYPES = {"NatServices": "NatService", "LoadBalancers": "LoadBalancer", "VpnConnections": "VpnConnection"}
GONE_STATES = frozenset({"deleted", "deleting", "terminated"})


def price_account(
    account_id: str,
    resources: Mapping[str, Sequence[Mapping[str, Any]]],
    prices: PriceList,
    vm_types: Mapping[str, tuple[int, Decimal]],
    buckets: Sequence[BucketUsage] = (),
) -> list[PricedResource]:
    priced: list[PricedResource] = []
    vms = [vm for vm in resources.get("Vms", []) if str(vm.get("State") or "") in BILLED_VM_STATES]
    for vm in vms:
        priced.append(_with_tags(_price_vm(vm, prices, vm_types), vm))
    if any(str((vm.get("Placement") or {}).get("Tenancy")) == "dedicated" for vm in vms):
        use = prices.get(FCU, "UseDedicated", "RunDedicatedInstances")
        hourly = use.per_hour if use else Decimal(0)
        missing = () if use else (f"{FCU}/UseDedicated/RunDedicatedInstances",)
        priced.append(PricedResource("DedicatedInstance", account_id, hourly, hourly * HOURS_PER_MONTH, {}, missing))
    for volume in resources.get("Volumes", []):
        if str(volume.get("State") or "") not in GONE_STATES:
            priced.append(_with_tags(price_volume(volume, prices), volume))
    for snapshot in resources.get("Snapshots", []):
        if str(snapshot.get("AccountId") or account_id) == account_id:
            priced.append(_with_tags(price_snapshot(snapshot, prices), snapshot))
    # A stopped VM keeps its first IP as its own: that IP is not an additional one.
    every_vm = resources.get("Vms", [])
    first_ips = {str(vm.get("VmId")): str(vm.get("PublicIp")) for vm in every_vm if vm.get("PublicIp")}
    for public_ip in resources.get("PublicIps", []):
        priced.append(_with_tags(price_public_ip(public_ip, first_ips, prices), public_ip))
    for kind, resource_type in SERVICE_TYPES.items():
        for item in resources.get(kind, []):
            if str(item.get("State") or "") not in GONE_STATES:
                resource = price_hourly_service(resource_type, str(item.get(IDS[kind]) or ""), prices)
                priced.append(_with_tags(resource, item))
    for gpu in resources.get("FlexibleGpus", []):
        priced_gpu = price_flexible_gpu(gpu, prices)
        if priced_gpu is not None:
            priced.append(_with_tags(priced_gpu, gpu))
    priced.extend(price_bucket(bucket, prices) for bucket in buckets)
    return priced


def _price_vm(vm: Mapping[str, Any], prices: PriceList, vm_types: Mapping[str, tuple[int, Decimal]]) -> PricedResource:
    vm_type = str(vm.get("VmType") or "")
    shape: VmShape | None = tina_shape(vm_type, str(vm.get("Performance") or "") or None)
    if shape is None and vm_type in vm_types:
        shape = aws_shape(vm_type, *vm_types[vm_type])
    if shape is None:
        return PricedResource(
            "Vm", str(vm.get("VmId") or ""), Decimal(0), Decimal(0), {"vm_type": vm_type}, (f"VM type {vm_type}",)
        )
    return price_vm(vm, prices, shape)


def _with_tags(resource: PricedResource, item: Mapping[str, Any]) -> PricedResource:
    tags = {str(tag.get("Key")): str(tag.get("Value") or "") for tag in item.get("Tags") or [] if tag.get("Key")}
    return replace(resource, tags=tags) if tags else resource
