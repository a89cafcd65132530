package io.opampfleet.server.internal.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What the API answers someone who is not an admin: every text with its secrets hidden (config
 * bodies and diffs, effective configs, events' and errors' text with collectors' log tails, values
 * of fields named like secrets), and
 * without the fields only admins read (a hosted package's secret download URL). Applied to whole
 * answers rather than to chosen fields, so that a field added later cannot leak.
 */
final class ReaderRedaction {
  private static final Set<String> ADMINS_ONLY = Set.of("downloadUrl");

  private final SecretRedactor redactor;

  ReaderRedaction(SecretRedactor redactor) {
    this.redactor = redactor;
  }

  /** The answer as {@code role} may read it. */
  Object forRole(Role role, Object answer) {
    if (role.allows(Role.ADMIN) || answer == null) {
      return answer;
    }
    return tree(answer, UnaryOperator.identity());
  }

  /** The answer as those who are not admins read it, as a tree, each text then passed through {@code then}. */
  JsonNode tree(Object answer, UnaryOperator<String> then) {
    return redacted(AdminApi.JSON.valueToTree(answer), then);
  }

  private JsonNode redacted(JsonNode node, UnaryOperator<String> then) {
    if (node instanceof ObjectNode object) {
      object.remove(ADMINS_ONLY);
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        // A structured value under a secret's key (an agent's attribute "api_key", say) is hidden whole.
        field.setValue(field.getValue().isValueNode() && !field.getValue().isNull() && redactor.secret(field.getKey())
            ? TextNode.valueOf(SecretRedactor.MARK) : redacted(field.getValue(), then));
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, redacted(array.get(i), then));
      }
    } else if (node.isTextual()) {
      String text = node.textValue();
      String shown = then.apply(redactor.redact(text));
      return shown == text ? node : TextNode.valueOf(shown);
    }
    return node;
  }
}
