"""Real Redis topologies for the scale-out tests, started with ``redis-server`` itself on free
loopback ports (never a mock): a Redis Cluster of 3 primaries with a replica each, and a primary
with a replica watched by 3 Sentinels. Each is started once per test session; tests skip, saying
why, only when the ``redis-server`` binary is missing.

Test modules import the fixtures they use::

    from tests.redis_topologies import redis_cluster_fixture  # noqa: F401

Both topologies can fail over on demand (``CLUSTER FAILOVER`` on a replica, ``SENTINEL
FAILOVER``) and wait until every node agrees on the new roles, so later tests see a settled
topology whatever ran before them.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from redis.cluster import RedisCluster as SyncRedisCluster

from tests.redis_server import REDIS_SERVER, START_TIMEOUT, RedisServer, free_port

SLOTS = 16384
SERVICE = "notify"
#: A node that misses this many milliseconds of pings is failing (only matters for crashes).
NODE_TIMEOUT_MS = 2000
#: Replicas sync at once (Redis 7 waits 5 s by default, hoping more replicas will join).
FAST_SYNC = ["--repl-diskless-sync-delay", "0"]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Poll ``condition`` until it holds (waiting for servers, not testing timing)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except redis.RedisError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.05)


def info(port: int, section: str) -> dict[str, object]:
    with redis.Redis(port=port, socket_timeout=2) as client:
        found: dict[str, object] = client.info(section)
        return found


class ClusterTopology:
    """A Redis Cluster: ``primaries`` primaries with one replica each, slots split evenly."""

    def __init__(self, primaries: int = 3) -> None:
        self.nodes: list[RedisServer] = []
        self.bus: dict[int, int] = {}
        for _ in range(2 * primaries):
            port, bus = free_port(), free_port()
            self.bus[port] = bus
            self.nodes.append(RedisServer(port, extra=[
                "--cluster-enabled", "yes", "--cluster-port", str(bus),
                "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", str(NODE_TIMEOUT_MS), *FAST_SYNC,
            ]))
        self.primaries = primaries

    @property
    def ports(self) -> list[int]:
        return [node.port for node in self.nodes]

    @property
    def url(self) -> str:
        """The ``redis+cluster://`` URL naming two of the nodes (any one is enough)."""
        return "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in self.ports[:2])

    def start(self) -> None:
        """Start every node, assign the slots, join the nodes and attach the replicas."""
        for node in self.nodes:
            node.start()
        ids = {}
        share = SLOTS // self.primaries
        for index, node in enumerate(self.nodes):
            with node.client() as client:
                ids[node.port] = client.execute_command("CLUSTER MYID").decode()
                client.execute_command("CLUSTER SET-CONFIG-EPOCH", index + 1)
                if index < self.primaries:
                    last = SLOTS - 1 if index == self.primaries - 1 else (index + 1) * share - 1
                    client.execute_command("CLUSTER ADDSLOTSRANGE", index * share, last)
        with self.nodes[0].client() as first:
            for node in self.nodes[1:]:
                first.execute_command("CLUSTER MEET", "127.0.0.1", node.port, self.bus[node.port])
        wait_until(lambda: all(self._known(p) == len(self.nodes) for p in self.ports),
                   "the cluster nodes to meet")
        for index, node in enumerate(self.nodes[self.primaries:]):
            with node.client() as client:
                client.execute_command("CLUSTER REPLICATE", ids[self.ports[index]])
        self.wait_settled()

    def _known(self, port: int) -> int:
        with redis.Redis(port=port) as client:
            nodes = client.execute_command("CLUSTER NODES")
        return sum(1 for n in nodes.values() if not {"handshake", "noaddr"} & set(n["flags"]))

    def _view(self, port: int) -> list[tuple[int, str, str, str]]:
        """(port, id, primary's id or -, slots) of every node, as node ``port`` sees them."""
        with redis.Redis(port=port) as client:
            nodes = client.execute_command("CLUSTER NODES")
        view = []
        for address, node in nodes.items():
            flags = set(node["flags"].split(","))
            if flags & {"fail", "fail?", "handshake", "noaddr"} or not node["connected"]:
                return []
            primary = "-" if "master" in flags else node["master_id"]
            view.append((int(address.rsplit(":", 1)[1]), node["node_id"], primary,
                         str(node["slots"])))
        return sorted(view)

    def wait_settled(self) -> None:
        """Until every node reports ``cluster_state:ok`` and the same view of the cluster: a
        replica per primary, whose replication link is up."""

        def settled() -> bool:
            views = [self._view(port) for port in self.ports]
            if not views[0] or any(view != views[0] for view in views):
                return False
            primaries = {node_id for _, node_id, primary, _ in views[0] if primary == "-"}
            replicas = sorted(primary for *_, primary, _ in views[0] if primary != "-")
            if len(primaries) != self.primaries or replicas != sorted(primaries):
                return False
            for port in self.ports:
                with redis.Redis(port=port) as client:
                    if client.execute_command("CLUSTER INFO")["cluster_state"] != "ok":
                        return False
                replication = info(port, "replication")
                if replication["role"] == "slave" and replication["master_link_status"] != "up":
                    return False
            return True

        wait_until(settled, "the cluster to settle")

    def primary_ports(self) -> list[int]:
        return sorted(port for port, _, primary, _ in self._view(self.ports[0]) if primary == "-")

    def replica_ports(self) -> list[int]:
        return sorted(port for port, _, primary, _ in self._view(self.ports[0]) if primary != "-")

    def failover(self, replica: int | None = None) -> int:
        """``CLUSTER FAILOVER`` on a replica (the first one unless named): it becomes the
        primary of its slots after catching up with the old one. Returns its port once every
        node agrees."""
        port = replica or self.replica_ports()[0]
        with redis.Redis(port=port) as client:
            client.execute_command("CLUSTER FAILOVER")
        wait_until(lambda: port in self.primary_ports(), "the replica to take over")
        self.wait_settled()
        return port

    def flush(self) -> None:
        """Empty every primary (replicas follow)."""
        for port in self.primary_ports():
            with redis.Redis(port=port) as client:
                client.flushall()

    def client(self) -> SyncRedisCluster:
        """A plain synchronous cluster client, as another application uses."""
        return SyncRedisCluster(host="127.0.0.1", port=self.ports[0])

    def close(self) -> None:
        for node in self.nodes:
            node.close()


class SentinelServer:
    """One Sentinel (``redis-server <config> --sentinel``) on a loopback port."""

    def __init__(self, primary: int, quorum: int) -> None:
        self.port = free_port()
        self._holder = RedisServer(self.port)  # only for its directory and port checks
        self.config = Path(self._holder.directory) / "sentinel.conf"
        self.config.write_text(
            f"port {self.port}\nbind 127.0.0.1\ndir {self._holder.directory}\n"
            f"sentinel monitor {SERVICE} 127.0.0.1 {primary} {quorum}\n"
            f"sentinel down-after-milliseconds {SERVICE} {NODE_TIMEOUT_MS}\n"
            f"sentinel failover-timeout {SERVICE} 10000\n"
            f"sentinel parallel-syncs {SERVICE} 1\n"
        )
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert REDIS_SERVER is not None
        self._process = subprocess.Popen(
            [REDIS_SERVER, str(self.config), "--sentinel"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        def answers() -> bool:
            with self.client() as client:
                return bool(client.ping())

        wait_until(answers, "a sentinel to start", START_TIMEOUT)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2)

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=START_TIMEOUT)
        self._holder.close()


class SentinelTopology:
    """A primary and two replicas watched by ``sentinels`` Sentinels (service ``notify``).

    Two replicas, so that right after a failover the new primary already has a replica (the
    other one, which the Sentinels point at it) while the old primary is still being demoted.
    """

    def __init__(self, sentinels: int = 3) -> None:
        self.servers = [RedisServer(extra=FAST_SYNC) for _ in range(3)]
        for replica in self.servers[1:]:
            replica.extra += ["--replicaof", "127.0.0.1", str(self.servers[0].port)]
        quorum = sentinels // 2 + 1
        self.sentinels = [SentinelServer(self.servers[0].port, quorum) for _ in range(sentinels)]

    @property
    def url(self) -> str:
        """The ``redis+sentinel://`` URL naming every Sentinel and the service."""
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis+sentinel://{hosts}/{SERVICE}"

    @property
    def addresses(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", s.port) for s in self.sentinels]

    def start(self) -> None:
        for server in self.servers:
            server.start()
        for sentinel in self.sentinels:
            sentinel.start()
        self.wait_settled(self.servers[0].port, replicas=2)

    def primary_port(self) -> int:
        with self.sentinels[0].client() as client:
            _, port = client.sentinel_get_master_addr_by_name(SERVICE)
        return int(port)

    def wait_settled(self, primary: int, replicas: int = 1) -> None:
        """Until every Sentinel names ``primary`` and knows the other Sentinels, and
        ``replicas`` replicas are attached to it with their link up."""

        def settled() -> bool:
            for sentinel in self.sentinels:
                with sentinel.client() as client:
                    state = client.sentinel_master(SERVICE)
                if int(state["port"]) != primary or state.get("flags") != "master":
                    return False
                if int(state["num-other-sentinels"]) != len(self.sentinels) - 1:
                    return False
            if info(primary, "replication")["role"] != "master":
                return False
            linked = 0
            for server in self.servers:
                if server.port == primary:
                    continue
                link = info(server.port, "replication")
                linked += (
                    link["role"] == "slave" and int(str(link["master_port"])) == primary
                    and link["master_link_status"] == "up"
                )
            return linked >= replicas

        wait_until(settled, "the sentinels to settle", timeout=30)

    def failover(self) -> int:
        """``SENTINEL FAILOVER``: a replica is promoted and the other replica follows it. Once
        the Sentinels name the new primary, the old one is made its replica here, as Sentinel
        itself does about ten seconds later (so the next test does not wait for that).
        Returns the new primary's port once both replicas are attached to it."""
        old = self.primary_port()
        with self.sentinels[0].client() as client:
            client.execute_command("SENTINEL FAILOVER", SERVICE)
        wait_until(lambda: self.primary_port() != old, "the sentinels to name a new primary")
        new = self.primary_port()
        with redis.Redis(port=old) as demoted:
            demoted.replicaof("127.0.0.1", new)
        self.wait_settled(new, replicas=2)
        wait_until(lambda: self._reported_replicas(new) == 2, "the sentinels to see 2 replicas")
        return new

    def _reported_replicas(self, primary: int) -> int:
        """Replicas every Sentinel sees reporting themselves as replicas of ``primary``."""
        counts = []
        for sentinel in self.sentinels:
            with sentinel.client() as client:
                replicas = client.sentinel_slaves(SERVICE)
            counts.append(sum(
                r.get("role-reported") == "slave" and int(r.get("master-port", 0)) == primary
                for r in replicas
            ))
        return min(counts)

    def flush(self) -> None:
        with redis.Redis(port=self.primary_port()) as client:
            client.flushall()

    def client(self) -> redis.Redis:
        """A plain synchronous client of the current primary, as another application."""
        return redis.Redis(port=self.primary_port())

    def close(self) -> None:
        for sentinel in self.sentinels:
            sentinel.close()
        for server in self.servers:
            server.close()


@pytest.fixture(scope="session", name="redis_cluster")
def redis_cluster_fixture() -> Iterator[ClusterTopology]:
    """One 3-primary cluster (a replica each) for the whole session."""
    topology = ClusterTopology()
    try:
        topology.start()
        yield topology
    finally:
        topology.close()


@pytest.fixture(scope="session", name="redis_sentinel")
def redis_sentinel_fixture() -> Iterator[SentinelTopology]:
    """One Sentinel-managed primary and replica, 3 Sentinels, for the whole session."""
    topology = SentinelTopology()
    try:
        topology.start()
        yield topology
    finally:
        topology.close()
