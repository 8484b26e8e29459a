package io.bemi.spring.boot.app;

import org.springframework.data.jpa.repository.JpaRepository;

public interface Customers extends JpaRepository<Customer, Integer> {}
