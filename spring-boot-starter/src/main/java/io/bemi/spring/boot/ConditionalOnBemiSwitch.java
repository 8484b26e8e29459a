package io.bemi.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/**
 * On unless the boolean property named {@link #value()} is off. The property is bound as Spring
 * binds {@code bemi.*} itself, so {@code false}, {@code off}, {@code no} and {@code 0} all turn the
 * part off (Boot's {@code @ConditionalOnProperty} matches only the text {@code false}), relaxed
 * names and environment variables included; a value that is no boolean stops start-up.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnBemiSwitch.class)
@interface ConditionalOnBemiSwitch {

  /** The property, e.g. {@code bemi.web.enabled}. */
  String value();
}
