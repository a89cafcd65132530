package io.opampfleet.server.internal.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UiAssetsTest {
  private final UiAssets assets = new UiAssets();

  @Test
  void aFileOfTheUiIsServedAndHeldOnce() {
    assertThat(assets.serve("/ui/app.js")).hasValueSatisfying(answer -> assertThat(answer.status()).isEqualTo(200));
    assertThat(assets.serve("/ui/app.js")).isPresent();

    assertThat(assets.held()).isEqualTo(1);
  }

  @Test
  void namesThatAreNoFileAreAnsweredNotFoundAndNotKept() {
    for (int i = 0; i < 1_000; i++) {
      assertThat(assets.serve("/ui/missing-" + i + ".js")).isEmpty();
      assertThat(assets.serve("/api/docs/missing-" + i + ".css")).isEmpty();
    }

    assertThat(assets.held()).isZero();
  }
}
