package io.bemi.spring.boot;

import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** {@link ConditionalOnBemiSwitch}: binds the switch as a Boolean, on when unset. */
final class OnBemiSwitch extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    Map<String, Object> attributes = metadata.getAnnotationAttributes(ConditionalOnBemiSwitch.class.getName());
    String name = (String) attributes.get("value");
    boolean on = Binder.get(context.getEnvironment()).bind(name, Boolean.class).orElse(true);
    return on ? ConditionOutcome.match(name + " is on") : ConditionOutcome.noMatch(name + " is off");
  }
}
