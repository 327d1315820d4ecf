/** Example replicated key-value store built on raft-manager, with a command-line launcher and load generator. */
package io.raftmanager.examples.kv;
