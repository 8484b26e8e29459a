package io.bemi.spring.boot.app;

import jakarta.persistence.EntityManagerFactory;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * An ordinary Spring Boot service: MVC, Spring Security (HTTP basic), JPA repositories and JdbcTemplate
 * with {@code @Transactional} (NESTED included), {@code @Async} and {@code @Scheduled}. Its only Bemi-specific part is the
 * starter on the class path; the DataSource URL is plain {@code jdbc:postgresql}.
 */
@SpringBootApplication
@EnableAsync
@EnableScheduling
public class ShopApplication {

  @Bean
  SecurityFilterChain security(HttpSecurity http) throws Exception {
    return http
        .authorizeHttpRequests(requests -> requests
            .requestMatchers("/actuator/**").permitAll()
            .anyRequest().authenticated())
        .httpBasic(Customizer.withDefaults())
        .csrf(csrf -> csrf.disable())
        .build();
  }

  /** JPA's, for repositories (Spring Data's default). */
  @Bean
  @Primary
  JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
    return new JpaTransactionManager(entityManagerFactory);
  }

  /**
   * JDBC's, for the JdbcTemplate services: JPA's cannot do NESTED (savepoints), the plain DataSource's can,
   * as in an application that mixes JPA and JdbcTemplate.
   */
  @Bean
  DataSourceTransactionManager jdbcTransactionManager(DataSource dataSource) {
    return new DataSourceTransactionManager(dataSource);
  }

  @Bean
  UserDetailsService users() {
    return new InMemoryUserDetailsManager(User.withUsername("ann").password("{noop}secret").roles("CLERK").build());
  }
}
