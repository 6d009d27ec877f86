#!/bin/sh
# Joins the CouchDB nodes into one cluster (https://docs.couchdb.org/en/stable/setup/cluster.html,
# "The Cluster Setup API"), through the coordinator. Idempotent: a cluster that already has every node
# is left as it is. Needs COUCHDB_USER, COUCHDB_PASSWORD, COORDINATOR and OTHER_NODES.
set -eu
auth="$COUCHDB_USER:$COUCHDB_PASSWORD"
base="http://$COORDINATOR:5984"
expected=$(( $(echo "$OTHER_NODES" | wc -w) + 1 ))

post() {
  curl -fsS -u "$auth" -H 'content-type: application/json' -X POST "$base/_cluster_setup" -d "$1"
  echo
}

members=$(curl -fsS -u "$auth" "$base/_membership" | tr ',' '\n' | grep -c 'couchdb@' || true)
# _membership lists each node twice (all_nodes and cluster_nodes).
if [ "$members" -ge $(( expected * 2 )) ]; then
  echo "The cluster already has its $expected nodes."
  exit 0
fi

post "{\"action\":\"enable_cluster\",\"bind_address\":\"0.0.0.0\",\"username\":\"$COUCHDB_USER\",\"password\":\"$COUCHDB_PASSWORD\",\"node_count\":\"$expected\"}"
for node in $OTHER_NODES; do
  post "{\"action\":\"enable_cluster\",\"bind_address\":\"0.0.0.0\",\"username\":\"$COUCHDB_USER\",\"password\":\"$COUCHDB_PASSWORD\",\"port\":5984,\"node_count\":\"$expected\",\"remote_node\":\"$node\",\"remote_current_user\":\"$COUCHDB_USER\",\"remote_current_password\":\"$COUCHDB_PASSWORD\"}"
  post "{\"action\":\"add_node\",\"host\":\"$node\",\"port\":5984,\"username\":\"$COUCHDB_USER\",\"password\":\"$COUCHDB_PASSWORD\"}"
done
# Makes the system databases (_users, _replicator) cluster-wide.
post '{"action":"finish_cluster"}'
curl -fsS -u "$auth" "$base/_membership"
echo
