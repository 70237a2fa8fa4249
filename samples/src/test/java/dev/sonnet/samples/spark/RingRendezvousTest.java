package dev.sonnet.samples.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.OptionalLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("spark")
class RingRendezvousTest {
  private static String[] gathered(OptionalLong rank0Checkpoint) {
    return new String[] {
      RingRendezvous.message(0, "127.0.0.1", 40001, rank0Checkpoint),
      RingRendezvous.message(1, "127.0.0.1", 40002, OptionalLong.of(99)),
      RingRendezvous.message(2, "host-c", 40003, OptionalLong.empty())
    };
  }

  @Test
  void everyReplicaGetsTheSameRingAndItsOwnRank() {
    for (int me = 0; me < 3; me++) {
      RingRendezvous.Membership m = RingRendezvous.membership(gathered(OptionalLong.of(40)), me, 3);
      assertThat(m.rank()).isEqualTo(me);
      assertThat(m.worldSize()).isEqualTo(3);
      assertThat(m.peers())
          .containsExactly(
              InetSocketAddress.createUnresolved("127.0.0.1", 40001),
              InetSocketAddress.createUnresolved("127.0.0.1", 40002),
              InetSocketAddress.createUnresolved("host-c", 40003));
      // Only rank 0's view of the checkpoint directory counts: rank 1's 99 is ignored.
      assertThat(m.resumeStep()).hasValue(40);
    }
  }

  @Test
  void noCheckpointOnRankZeroMeansFromScratch() {
    assertThat(RingRendezvous.membership(gathered(OptionalLong.empty()), 1, 3).resumeStep())
        .isEmpty();
  }

  @Test
  void malformedOrMisorderedMessagesAreErrorsNamingTheMessage() {
    String[] g = gathered(OptionalLong.empty());
    assertThatThrownBy(() -> RingRendezvous.membership(g, 0, 4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("4 tasks in the barrier stage but 3 messages");

    String[] swapped = {g[1], g[0], g[2]};
    assertThatThrownBy(() -> RingRendezvous.membership(swapped, 0, 3))
        .hasMessageContaining("message 0 comes from rank 1");

    String[] garbage = {g[0], "hello", g[2]};
    assertThatThrownBy(() -> RingRendezvous.membership(garbage, 0, 3))
        .hasMessageContaining("message 1 is \"hello\"");

    String[] badPort = {g[0], RingRendezvous.TAG + " 1 127.0.0.1 70000 none", g[2]};
    assertThatThrownBy(() -> RingRendezvous.membership(badPort, 0, 3))
        .hasMessageContaining("port 70000 out of 1..65535");

    String[] badStep = {RingRendezvous.TAG + " 0 127.0.0.1 1 x7", g[1], g[2]};
    assertThatThrownBy(() -> RingRendezvous.membership(badStep, 0, 3))
        .hasMessageContaining("checkpoint step \"x7\" is not a number");
  }

  @Test
  void messagesRefuseWhatCannotBeParsedBack() {
    assertThatThrownBy(() -> RingRendezvous.message(0, "my host", 1, OptionalLong.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without spaces");
    assertThatThrownBy(() -> RingRendezvous.message(0, "h", 0, OptionalLong.empty()))
        .hasMessageContaining("port 0");
    assertThatThrownBy(() -> RingRendezvous.message(-1, "h", 1, OptionalLong.empty()))
        .hasMessageContaining("rank must be >= 0");
  }
}
