package io.bemi.spring.boot.app;

import java.util.concurrent.CompletableFuture;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class OrderController {

  private final Orders orders;
  private final Invoicing invoicing;

  OrderController(Orders orders, Invoicing invoicing) {
    this.orders = orders;
    this.invoicing = invoicing;
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
