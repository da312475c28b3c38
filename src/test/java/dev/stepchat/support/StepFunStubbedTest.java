package dev.stepchat.support;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.BeforeEach;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * What the tests against the WireMock StepFun share: the stub, emptied before each test, and
 * closed circuit breakers, so that no test sees another's failures.
 */
public abstract class StepFunStubbedTest {

    @InjectWireMock
    protected WireMockServer stepFun;

    @Inject
    protected CircuitBreakerMaintenance circuitBreakers;

    @Inject
    protected EntityManager entityManager;

    @BeforeEach
    protected void reset() {
        stepFun.resetAll();
        circuitBreakers.resetAll();
    }
}
