package io.bemi.spring.boot.app;

import java.util.concurrent.CompletableFuture;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class OrderController {

  private final Orders orders;
  private final Invoicing invoicing;
  private final Customers customers;

  OrderController(Orders orders, Invoicing invoicing, Customers customers) {
    this.orders = orders;
    this.invoicing = invoicing;
    this.customers = customers;
  }

  /** Through JPA (Hibernate): a repository save in its own transaction. */
  @PostMapping("/customers/{id}")
  String register(@PathVariable("id") int id) {
    customers.save(new Customer(id, "Ann's shop"));
    return "registered";
  }

  @PostMapping("/orders/{id}")
  String place(@PathVariable("id") int id) {
    orders.place(id);
    return "placed";
  }

  @PostMapping("/orders/{id}/with-failing-note")
  String placeWithFailingNote(@PathVariable("id") int id) {
    orders.placeWithFailingNote(id);
    return "placed";
  }

  @PostMapping("/orders/{id}/invoice")
  String invoice(@PathVariable("id") int id) {
    CompletableFuture<Void> done = invoicing.invoice(id);
    done.join();
    return "invoiced";
  }
}
