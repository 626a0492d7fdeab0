"""What an Outscale resource costs per hour and per month, with the rules osc-cost uses, corrected.

Catalog keys are `Service/Type/Operation` (finops.domain.outscale_catalog). The rules:

| resource | price |
|---|---|
| VM | vCPU * CustomCore:v{gen}-p{perf} + RAM GiB * CustomRam + licences, * the dedicated factor |
| licence 0002 (Windows) | per 2 vCPU: floor((vCPU + 1) / 2) * price |
| licences 0003-0007 | price per VM |
| licences 0008, 0009 (SQL Server) | max(floor((vCPU + 1) / 2), 4) * price |
| licence pty-* (marketplace) | price per VM (osc-cost ignores them) |
| dedicated tenancy | * (1 + DedicatedInstanceSurplus * 10), on the monthly figure too (osc-cost forgets it) |
| volume | Size * BSU:VolumeUsage:{type} (+ Iops * BSU:VolumeIOPS:io1 for io1), per month |
| snapshot | VolumeSize * Snapshot:Usage per month (the full size: snapshots are incremental, so it is an upper bound) |
| public IP | free as its VM's first IP; AdditionalAddress as another IP of a VM; IdleAddress when |
| | linked to nothing; a NAT's IP is part of the NAT |
| NAT service, load balancer, VPN connection | their hourly usage price |
| flexible GPU | Gpu:attach:{model} when attached, Gpu:allocate:{model} when only allocated |
| OOS bucket | Σ object sizes / 2^30 * TinaOS-OOS/enterprise/OOSStorage per GiB-month |

A tina VM type is read from its name (`tinav5.c2r4p2`: generation 5, 2 vCPU, 4 GiB,
performance 2); without `p`, the VM's Performance says it (highest 1, high 2, medium 3), else 2.
An AWS-compatible type (`m4.large`) takes its vCPU and memory from ReadVmTypes and its generation
and performance from its family.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from finops.domain.outscale_catalog import HOURS_PER_MONTH, CatalogPrice, PriceList

FCU = "TinaOS-FCU"
BYTES_PER_GIB = Decimal(2**30)
_TINA = re.compile(r"^tinav(\d+)\.c(\d+)r(\d+)(?:p(\d+))?$")
PERFORMANCE_LEVELS = {"highest": 1, "high": 2, "medium": 3}
# family -> (generation, performance), for AWS-compatible VM types
AWS_FAMILIES: dict[str, tuple[int, int]] = {
    **dict.fromkeys(("c1", "cc1", "oc1"), (1, 1)),
    "c3": (3, 1),
    "c4": (4, 1),
    "c5": (5, 1),
    "cc2": (2, 2),
    "cr1": (1, 2),
    "g2": (2, 1),
    "g3": (3, 1),
    "hi1": (3, 1),
    **dict.fromkeys(("i2", "io5", "mv3", "nv1", "nv2", "og3", "om5"), (4, 2)),
    **dict.fromkeys(("m1", "os1"), (1, 2)),
    "m2": (2, 2),
    **dict.fromkeys(("m3", "os3", "r3"), (3, 2)),
    **dict.fromkeys(("m4", "r4"), (4, 2)),
    "m5": (5, 2),
    "oc2": (2, 1),
    **dict.fromkeys(("oc5", "og4"), (4, 1)),
    **dict.fromkeys(("p100", "p3", "p6"), (5, 1)),
    "t1": (1, 3),
    "t2": (2, 3),
}
BILLED_VM_STATES = frozenset({"running", "stopping", "shutting-down"})


@dataclass(frozen=True)
class VmShape:
    generation: int
    vcpu: int
    ram_gib: Decimal
    performance: int


@dataclass(frozen=True)
class PricedResource:
    resource_type: str
    resource_id: str
    price_per_hour: Decimal
    price_per_month: Decimal
    details: dict[str, str] = field(default_factory=dict)
    missing_prices: tuple[str, ...] = ()  # catalog keys that were needed and not found (priced as 0)
    tags: dict[str, str] = field(default_factory=dict)


def tina_shape(vm_type: str, performance: str | None = None) -> VmShape | None:
    """``performance``: the VM's Performance (medium, high, highest), used when the name has no p."""
    found = _TINA.match(vm_type)
    if found is None:
        return None
    generation, vcpu, ram, level = found.groups()
    chosen = int(level) if level else PERFORMANCE_LEVELS.get(performance or "", 2)
    return VmShape(int(generation), int(vcpu), Decimal(ram), chosen)


def aws_shape(vm_type: str, vcpu: int, memory_gib: Decimal) -> VmShape | None:
    family = AWS_FAMILIES.get(vm_type.split(".", 1)[0])
    if family is None:
        return None
    return VmShape(family[0], vcpu, memory_gib, family[1])


def licence_units(code: str, vcpu: int) -> Decimal | None:
    """How many times a licence's price is counted for a VM of ``vcpu`` vCPU; None for an unknown code."""
    pairs = Decimal((vcpu + 1) // 2)
    if code == "0001":
        return Decimal(0)  # Linux
    if code == "0002":
        return pairs
    if code in ("0003", "0004", "0005", "0006", "0007") or code.startswith("pty-"):
        return Decimal(1)
    if code in ("0008", "0009"):
        return max(pairs, Decimal(4))
    return None


class _Pricer:
    """Collects the prices a resource needs and remembers which were missing."""

    def __init__(self, prices: PriceList) -> None:
        self.prices = prices
        self.missing: list[str] = []

    def hourly(self, type_: str, operation: str, service: str = FCU) -> Decimal:
        price = self._price(service, type_, operation)
        return price.per_hour if price else Decimal(0)

    def monthly(self, type_: str, operation: str, service: str = FCU) -> Decimal:
        # A PER_MONTH price is taken as it is: through the hourly figure it would lose its last digits.
        price = self._price(service, type_, operation)
        if price is None:
            return Decimal(0)
        return price.unit_price if price.per_month else price.unit_price * HOURS_PER_MONTH

    def _price(self, service: str, type_: str, operation: str) -> CatalogPrice | None:
        price = self.prices.get(service, type_, operation)
        if price is None:
            self.missing.append(f"{service}/{type_}/{operation}")
        return price


def price_vm(vm: Mapping[str, object], prices: PriceList, shape: VmShape) -> PricedResource:
    pricer = _Pricer(prices)
    core = pricer.hourly(f"CustomCore:v{shape.generation}-p{shape.performance}", "RunInstances-OD")
    ram = pricer.hourly("CustomRam", "RunInstances-OD")
    hourly = core * shape.vcpu + ram * shape.ram_gib
    codes = [str(code) for code in vm.get("ProductCodes") or []]  # type: ignore[attr-defined]
    unknown: list[str] = []
    for code in codes:
        units = licence_units(code, shape.vcpu)
        if units is None:
            unknown.append(code)
        elif units:
            hourly += units * pricer.hourly("ProductUsage", f"RunInstances-{code}-OD")
    tenancy = str((vm.get("Placement") or {}).get("Tenancy") or "default")  # type: ignore[attr-defined]
    if tenancy == "dedicated":
        # The catalog's surcharge is per thousand: 0.01 makes a dedicated VM cost 10 % more.
        hourly *= 1 + pricer.hourly("DedicatedInstanceSurplus", "RunInstances") * 10
    details = {
        "vm_type": str(vm.get("VmType") or ""),
        "vcpu": str(shape.vcpu),
        "ram_gib": str(shape.ram_gib),
        "generation": str(shape.generation),
        "performance": str(shape.performance),
        "tenancy": tenancy,
        "licences": ",".join(codes),
    }
    if unknown:
        details["unpriced_licences"] = ",".join(unknown)
    return PricedResource(
        "Vm", str(vm.get("VmId") or ""), hourly, hourly * HOURS_PER_MONTH, details, tuple(pricer.missing)
    )


def price_volume(volume: Mapping[str, object], prices: PriceList) -> PricedResource:
    pricer = _Pricer(prices)
    kind = str(volume.get("VolumeType") or "standard")
    size = Decimal(str(volume.get("Size") or 0))
    monthly = size * pricer.monthly(f"BSU:VolumeUsage:{kind}", "CreateVolume")
    iops = Decimal(str(volume.get("Iops") or 0)) if kind == "io1" else Decimal(0)
    if iops:
        monthly += iops * pricer.monthly("BSU:VolumeIOPS:io1", "CreateVolume")
    details = {"volume_type": kind, "size_gib": str(size), "iops": str(iops)}
    return _monthly_resource("Volume", str(volume.get("VolumeId") or ""), monthly, details, pricer)


def price_snapshot(snapshot: Mapping[str, object], prices: PriceList) -> PricedResource:
    pricer = _Pricer(prices)
    size = Decimal(str(snapshot.get("VolumeSize") or 0))
    monthly = size * pricer.monthly("Snapshot:Usage", "Snapshot")
    details = {"volume_size_gib": str(size)}
    return _monthly_resource("Snapshot", str(snapshot.get("SnapshotId") or ""), monthly, details, pricer)


def price_public_ip(
    public_ip: Mapping[str, object], vm_first_ips: Mapping[str, str], prices: PriceList
) -> PricedResource:
    """``vm_first_ips``: VM id -> the public IP the VM shows as its own (free)."""
    pricer = _Pricer(prices)
    vm_id = str(public_ip.get("VmId") or "")
    address = str(public_ip.get("PublicIp") or "")
    linked = bool(public_ip.get("LinkPublicIpId") or vm_id)
    if not linked:
        usage = "idle"
        hourly = pricer.hourly("ElasticIP:IdleAddress", "AssociateAddressVPC")
    elif not vm_id:
        usage = "nat-or-other"  # linked to a NAT service or a NIC without VM: part of that resource
        hourly = Decimal(0)
    elif vm_first_ips.get(vm_id) == address:
        usage = "first-ip-of-vm"
        hourly = Decimal(0)
    else:
        usage = "additional-ip-of-vm"
        hourly = pricer.hourly("ElasticIP:AdditionalAddress", "AssociateAddressVPC")
    details = {"public_ip": address, "vm_id": vm_id, "usage": usage}
    return PricedResource(
        "PublicIp",
        str(public_ip.get("PublicIpId") or address),
        hourly,
        hourly * HOURS_PER_MONTH,
        details,
        tuple(pricer.missing),
    )


def price_hourly_service(resource_type: str, resource_id: str, prices: PriceList) -> PricedResource:
    """NAT services, load balancers and VPN connections: one hourly usage price each."""
    pricer = _Pricer(prices)
    service, type_, operation = HOURLY_SERVICES[resource_type]
    hourly = pricer.hourly(type_, operation, service)
    return PricedResource(resource_type, resource_id, hourly, hourly * HOURS_PER_MONTH, {}, tuple(pricer.missing))


HOURLY_SERVICES: dict[str, tuple[str, str, str]] = {
    "NatService": (FCU, "NatGatewayUsage", "CreateNatGateway"),
    "LoadBalancer": ("TinaOS-LBU", "LBU:Usage", "CreateLoadBalancer"),
    "VpnConnection": (FCU, "ConnectionUsage", "CreateVpnConnection"),
}


def price_flexible_gpu(gpu: Mapping[str, object], prices: PriceList) -> PricedResource | None:
    state = str(gpu.get("State") or "")
    if state in ("attached", "attaching"):
        usage = "attach"
    elif state in ("allocated", "detaching"):
        usage = "allocate"
    else:
        return None
    pricer = _Pricer(prices)
    model = str(gpu.get("ModelName") or "")
    hourly = pricer.hourly(f"Gpu:{usage}:{model}", "AllocateGpu")
    details = {"model": model, "state": state}
    return PricedResource(
        "FlexibleGpu",
        str(gpu.get("FlexibleGpuId") or ""),
        hourly,
        hourly * HOURS_PER_MONTH,
        details,
        tuple(pricer.missing),
    )


@dataclass(frozen=True)
class BucketUsage:
    """What an Object Storage (OOS) bucket holds: the sum of its objects' sizes, and how many there are."""

    name: str
    size_bytes: int
    objects: int


def price_bucket(bucket: BucketUsage, prices: PriceList) -> PricedResource:
    pricer = _Pricer(prices)
    size_gib = Decimal(bucket.size_bytes) / BYTES_PER_GIB
    monthly = size_gib * pricer.monthly("enterprise", "OOSStorage", "TinaOS-OOS")
    details = {"size_gib": f"{size_gib:.6f}", "objects": str(bucket.objects)}
    return _monthly_resource("Oos", bucket.name, monthly, details, pricer)


def _monthly_resource(
    resource_type: str, resource_id: str, monthly: Decimal, details: dict[str, str], pricer: _Pricer
) -> PricedResource:
    return PricedResource(
        resource_type, resource_id, monthly / HOURS_PER_MONTH, monthly, details, tuple(pricer.missing)
    )
